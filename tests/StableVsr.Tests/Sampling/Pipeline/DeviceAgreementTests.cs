using StableVsr.Tensors;
using StableVsr.Tests.Support;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// The whole pipeline on the test device (STABLEVSR_TEST_DEVICE=cuda, eng/gpu/run.sh) against the same pipeline on the
/// CPU, whose parity with the reference the Parity category proves: same frames, same seed, same weights, RAFT flows
/// included, in float32 (TF32 off unless STABLEVSR_TEST_TF32=1). This is how RAFT and the sampler are checked on a GPU
/// when the reference's RAFT weights cannot travel to it. The bound is the parity tests': max |diff| &lt;= 1e-4 and the
/// 8-bit frames within one level.
/// </summary>
[Category("Gpu")]
public class DeviceAgreementTests
{
    [Test]
    public void TinyPipelineOnTheTestDeviceMatchesTheCpu()
    {
        if (!TestDevice.IsCuda)
        {
            Assert.Ignore("compares a CUDA run with the CPU: set STABLEVSR_TEST_DEVICE=cuda on a machine with a CUDA libtorch.");
        }

        using var scope = NewDisposeScope();
        var frames = TinyPipeline.FixtureFrames();
        var options = UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 3, Seed = 7 } };
        using var onCpu = TinyPipeline.Load(options);
        using var onDevice = TinyPipeline.Load(options, TestDevice.Compute);

        var expected = onCpu.Upscale(frames);
        var actual = onDevice.Upscale(frames).cpu();

        Assert.That(actual.shape, Is.EqualTo(expected.shape));
        var maxDiff = actual.sub(expected).abs().max().item<float>();
        var levels = actual.Times(255L).round().sub(expected.Times(255L).round()).abs();
        TestContext.Out.WriteLine($"pipeline on {TestDevice.Current} vs cpu: max |diff| = {maxDiff:E3}; 8-bit: max {levels.max().item<float>()} level(s), {levels.gt(ScalarCache.Of(0)).sum().item<long>()} of {levels.NumberOfElements} values differ");
        Assert.That(maxDiff, Is.LessThanOrEqualTo(1e-4));
        Assert.That(levels.max().item<float>(), Is.LessThanOrEqualTo(1));
    }
}
