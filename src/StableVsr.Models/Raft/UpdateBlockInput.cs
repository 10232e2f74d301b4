using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>Input of <see cref="UpdateBlock"/>; every tensor is at 1/8 resolution.</summary>
/// <param name="Hidden">Hidden state of the recurrent unit, [B, hidden, h, w].</param>
/// <param name="Context">Context features of the first image, [B, context, h, w].</param>
/// <param name="CorrFeatures">Correlation features around the current estimate.</param>
/// <param name="Flow">Current flow, [B, 2, h, w].</param>
internal sealed record UpdateBlockInput(Tensor Hidden, Tensor Context, Tensor CorrFeatures, Tensor Flow);
