using static TorchSharp.torch;

namespace StableVsr.Sampling.Noise;

/// <summary>
/// Where the sampler takes its randomness from, keyed by what the noise is for rather than by when it is drawn, so a
/// result does not depend on processing order, sampling direction or batching.
/// </summary>
internal interface INoiseSource
{
    /// <summary>The initial latent of frame <paramref name="frame"/> (before scaling by the scheduler's init sigma).</summary>
    Tensor InitialLatent(int frame, long[] shape, Device device);

    /// <summary>The variance noise the scheduler adds at inference step <paramref name="step"/> (0-based) to frame <paramref name="frame"/>.</summary>
    Tensor StepNoise(int step, int frame, long[] shape, Device device);
}
