using StableVsr.Sampling.Noise;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// One window of a sequence for <see cref="BidirectionalSampler"/>: its LR frames, the sequence's noise, the window's
/// optical flows and, after the first window, what the previous window of the same sequence handed over.
/// </summary>
/// <param name="LowResolution">LR frames [N, 3, h, w] in [-1, 1], float32, on the compute device or the state device; already a size the models take (see <see cref="FramePadding"/>).</param>
/// <param name="Noise">Initial latents and variance noise of the sequence, keyed by (step, frame in the sequence).</param>
/// <param name="Flows">The window's optical flows, with the flow across the boundary when <paramref name="Carry"/> is given.</param>
/// <param name="FirstFrame">Index in the sequence of the window's first frame (the noise key of its frame 0).</param>
/// <param name="Carry">
/// The previous window's last frame as it was denoised: at each forward step, this window's first frame is guided by
/// it, as if the sequence went on. Null for the first window, or when windows are sampled independently.
/// </param>
/// <param name="KeepCarry">Whether to keep what the next window needs (<see cref="SampledWindow.Carry"/>).</param>
internal sealed record SamplingSequence(
    Tensor LowResolution,
    INoiseSource Noise,
    SequenceFlows Flows,
    int FirstFrame = 0,
    WindowCarry? Carry = null,
    bool KeepCarry = false);
