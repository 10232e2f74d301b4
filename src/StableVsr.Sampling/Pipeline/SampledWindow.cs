using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>What <see cref="BidirectionalSampler"/> returns for one window: its finished images and, when asked, what the next window needs.</summary>
/// <param name="Images">The window's images [N, 3, 4h, 4w] in [0, 1], float32, on the state device.</param>
/// <param name="Carry">The carry for the next window (see <see cref="SamplingSequence.KeepCarry"/>), else null.</param>
internal sealed record SampledWindow(Tensor Images, WindowCarry? Carry);
