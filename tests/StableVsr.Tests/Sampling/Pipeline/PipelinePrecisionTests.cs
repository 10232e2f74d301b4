using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// Mixed precision on the CPU: bfloat16 UNet and ControlNet with a float32 VAE run end to end (every dtype crossing
/// converted) and stay close to float32; float16, which the CPU kernels do not serve, is refused with advice.
/// </summary>
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
    public void BFloat16DenoiserStaysCloseToFloat32()
    {
        using var scope = NewDisposeScope();
        using var fixture = SafetensorsFile.Open(Fixtures.Case("pipeline.safetensors"));
        var frames = fixture.Load("lr_frames_u8").to(ScalarType.Float32).div(255f).mul(2f).sub(1f);
        var options = UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, Seed = 4 } };
        using var full = TinyPipeline.Load(options);
        using var mixed = TinyPipeline.Load(options with { Precision = PrecisionPolicy.BFloat16Denoiser });
        Assert.That(mixed.Models.Unet.parameters().First().dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(mixed.Models.Vae.parameters().First().dtype, Is.EqualTo(ScalarType.Float32));

        var reference = full.Upscale(frames);
        var actual = mixed.Upscale(frames);

        Assert.That(actual.dtype, Is.EqualTo(ScalarType.Float32));
        var diff = actual.sub(reference).abs();
        var (max, mean) = (diff.max().item<float>(), diff.mean().item<float>());
        TestContext.Out.WriteLine($"bfloat16 UNet/ControlNet vs float32: max |diff| = {max:E3}, mean |diff| = {mean:E3}");
        Assert.That(actual.isfinite().all().item<bool>(), Is.True);
        Assert.That(mean, Is.LessThanOrEqualTo(BFloat16MeanTolerance));
    }

    [Test]
    public void Float16IsRefusedOnTheCpu()
    {
        var ex = Assert.Throws<InvalidInputException>(() => TinyPipeline.Load(UpscaleOptions.Default with { Precision = PrecisionPolicy.HalfOnGpu }).Dispose());
        Assert.That(ex!.Message, Does.Contain("CUDA").And.Contain("BFloat16"));
    }
}
