using StableVsr.Sampling.Noise;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>One sequence for <see cref="BidirectionalSampler"/>: its LR frames, its own noise and its optical flows.</summary>
/// <param name="LowResolution">LR frames [N, 3, h, w] in [-1, 1], float32, on the compute device or the state device; already a size the models take (see <see cref="FramePadding"/>).</param>
/// <param name="Noise">Initial latents and variance noise of this sequence, keyed by (step, frame).</param>
/// <param name="Flows">The sequence's optical flows.</param>
internal sealed record SamplingSequence(Tensor LowResolution, INoiseSource Noise, SequenceFlows Flows);
