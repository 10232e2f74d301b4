using StableVsr.Sampling.Noise;
using StableVsr.Weights;
using static TorchSharp.torch;

namespace StableVsr.Tests.Support;

/// <summary>
/// The noise the reference drew, read from a fixture: <c>noise_init_f{K}</c> is frame K's initial latent and
/// <c>noise_step{I}_f{K}</c> the variance noise of step I for frame K (original frame order).
/// </summary>
internal sealed class FixtureNoiseSource(ITensorSource source) : INoiseSource
{
    /// <inheritdoc />
    public Tensor InitialLatent(int frame, long[] shape, Device device) => Read($"noise_init_f{frame}", shape, device);

    /// <inheritdoc />
    public Tensor StepNoise(int step, int frame, long[] shape, Device device) => Read($"noise_step{step}_f{frame}", shape, device);

    private Tensor Read(string key, long[] shape, Device device)
    {
        Assert.That(source.Contains(key), $"the fixture has no '{key}': the sampler asked for noise the reference never drew");
        var tensor = source.Load(key, ScalarType.Float32, device);
        Assert.That(tensor.shape, Is.EqualTo(shape), $"shape of {key}");
        return tensor;
    }
}
