using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>Input of <see cref="Raft"/>.</summary>
/// <param name="Image1">First images, [B, 3, H, W] in [-1, 1]; the flow maps each of their pixels into <paramref name="Image2"/>.</param>
/// <param name="Image2">Second images, same shape as <paramref name="Image1"/>.</param>
/// <param name="NumFlowUpdates">Recurrent refinements; null takes <see cref="RaftConfig.NumFlowUpdates"/> (12).</param>
/// <param name="KeepAllPredictions">
/// Whether to return the upsampled flow of every update (as torchvision's list) or only the last one, which
/// skips the mask prediction and upsampling of the intermediate updates.
/// </param>
public sealed record RaftInput(Tensor Image1, Tensor Image2, int? NumFlowUpdates = null, bool KeepAllPredictions = false);
