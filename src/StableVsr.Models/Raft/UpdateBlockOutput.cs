using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>Output of <see cref="UpdateBlock"/>.</summary>
/// <param name="Hidden">New hidden state, [B, hidden, h, w].</param>
/// <param name="DeltaFlow">Flow update at 1/8 resolution, [B, 2, h, w].</param>
internal sealed record UpdateBlockOutput(Tensor Hidden, Tensor DeltaFlow);
