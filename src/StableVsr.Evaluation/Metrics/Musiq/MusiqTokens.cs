using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>The encoder's input: embedded patches and, per patch, its hashed position, scale id and realness.</summary>
/// <param name="Embedded">Patch tokens [B, N, C].</param>
/// <param name="Positions">Hashed spatial ids [B, N] int64 (row * grid + column on the grid).</param>
/// <param name="ScaleIds">Scale ids [B, N] int64 (0, 1 for the resized scales, 2 for the original resolution).</param>
/// <param name="Mask">[B, N] bool, false for padding patches.</param>
internal sealed record MusiqTokens(Tensor Embedded, Tensor Positions, Tensor ScaleIds, Tensor Mask);
