using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>Input of the recurrent unit (<see cref="ConvGru"/>, <see cref="RecurrentBlock"/>).</summary>
/// <param name="Hidden">Hidden state, [B, hidden, h, w].</param>
/// <param name="Input">Context and motion features, [B, input, h, w].</param>
internal sealed record RecurrentInput(Tensor Hidden, Tensor Input);
