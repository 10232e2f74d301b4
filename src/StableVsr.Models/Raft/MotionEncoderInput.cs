using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>Input of <see cref="MotionEncoder"/>.</summary>
/// <param name="Flow">Current flow at 1/8 resolution, [B, 2, h, w].</param>
/// <param name="CorrFeatures">Correlation features looked up around the current estimate, [B, levels*(2r+1)^2, h, w].</param>
internal sealed record MotionEncoderInput(Tensor Flow, Tensor CorrFeatures);
