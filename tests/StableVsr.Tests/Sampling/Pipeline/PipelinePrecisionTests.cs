using StableVsr.Tests.Support;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// Mixed precision on the CPU: bfloat16 UNet and ControlNet with a float32 VAE run end to end (every dtype crossing
/// converted) and stay close to float32; float16, which the CPU kernels do not serve, is refused with advice.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class PipelinePrecisionTests
{
    /// <summary>
    /// bfloat16 keeps 8 mantissa bits (relative rounding 2^-9 per operation); the tiny model's random weights make
    /// large noise predictions whose rounding the v-prediction x0 and the guidance chain carry on, and over two steps
    /// the output, in [0, 1], moves by 0.026 on average (measured). A dtype mix-up (a network fed float32 into
    /// bfloat16 weights, residuals added in the wrong type) fails outright or moves it by far more.
    /// </summary>
    private const double BFloat16MeanTolerance = 0.05;

    [Test]
    public void BFloat16DenoiserStaysCloseToFloat32() =>
        AssertCloseToFloat32(PrecisionPolicy.BFloat16Denoiser, ScalarType.BFloat16, ComputeDevice.Cpu);

    /// <summary>
    /// float16 keeps 10 mantissa bits, two more than bfloat16, but a narrower range: the same bound as bfloat16's
    /// holds unless a value overflows, which shows as non-finite output. Runs where the test device is CUDA
    /// (STABLEVSR_TEST_DEVICE, eng/gpu/run.sh); the CPU kernels serve no float16.
    /// </summary>
    [Test]
    [Category("Gpu")]
    public void Float16DenoiserStaysCloseToFloat32OnCuda()
    {
        if (!TestDevice.IsCuda)
        {
            Assert.Ignore("float16 runs on CUDA only: set STABLEVSR_TEST_DEVICE=cuda on a machine with a CUDA libtorch.");
        }

        AssertCloseToFloat32(PrecisionPolicy.HalfOnGpu, ScalarType.Float16, TestDevice.Compute);
    }

    [Test]
    public void Float16IsRefusedOnTheCpu()
    {
        var ex = Assert.Throws<InvalidInputException>(() => TinyPipeline.Load(UpscaleOptions.Default with { Precision = PrecisionPolicy.HalfOnGpu }).Dispose());
        Assert.That(ex!.Message, Does.Contain("CUDA").And.Contain("BFloat16"));
    }

    // The tiny pipeline on the fixture frames in float32 and with a half-precision UNet and ControlNet (VAE float32), both
    // on one device: the output stays float32, finite, and within the mean bound.
    private static void AssertCloseToFloat32(PrecisionPolicy precision, ScalarType halfType, ComputeDevice device)
    {
        using var scope = NewDisposeScope();
        var frames = TinyPipeline.FixtureFrames();
        var options = UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, RaftIterations = 2, Seed = 4 } };
        using var full = TinyPipeline.Load(options, device);
        using var mixed = TinyPipeline.Load(options with { Precision = precision }, device);
        Assert.That(mixed.Models.Unet.parameters().First().dtype, Is.EqualTo(halfType));
        Assert.That(mixed.Models.Vae.parameters().First().dtype, Is.EqualTo(ScalarType.Float32));

        var reference = full.Upscale(frames);
        var actual = mixed.Upscale(frames);

        Assert.That(actual.dtype, Is.EqualTo(ScalarType.Float32));
        var diff = actual.sub(reference).abs();
        var (max, mean) = (diff.max().item<float>(), diff.mean().item<float>());
        TestContext.Out.WriteLine($"{halfType} UNet/ControlNet vs float32 on {device}: max |diff| = {max:E3}, mean |diff| = {mean:E3}");
        Assert.That(actual.isfinite().all().item<bool>(), Is.True);
        Assert.That(mean, Is.LessThanOrEqualTo(BFloat16MeanTolerance));
    }
}
