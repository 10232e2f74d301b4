using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// The memory options against the default path on the fixture sequence (3 frames of 40x32, 2 steps): keeping per-frame
/// state in host memory changes nothing; float16 flows and the tiled VAE decode stay within documented tolerances.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class PipelineMemoryOptionsTests
{
    /// <summary>
    /// float16 flows round each displacement to 11 significant bits (about 0.01 px at 20 px); the warped guidance
    /// moves by a fraction of that and the output by less than a tenth of an 8-bit level.
    /// </summary>
    private const double HalfFlowTolerance = 1e-3;

    /// <summary>
    /// The tiled decode is approximate (group norms and attention see a tile, and the guidance carries the difference
    /// into the next frames); with 16-latent-pixel tiles on 40x32 latents (3 x 2 tiles) the mean change of the output
    /// stays under this, in [0, 1] units.
    /// </summary>
    private const double TiledMeanTolerance = 0.05;

    private static readonly UpscaleOptions Options = UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, RaftIterations = 2, Seed = 11 } };
    private Tensor frames = null!;
    private Tensor reference = null!;

    [OneTimeSetUp]
    public void RunTheDefaultPath()
    {
        using var fixture = SafetensorsFile.Open(Fixtures.Case("pipeline.safetensors"));
        using var u8 = fixture.Load("lr_frames_u8");
        frames = u8.to(ScalarType.Float32).div(255f).mul(2f).sub(1f).DetachFromDisposeScope();
        reference = Run(Options).DetachFromDisposeScope();
    }

    [OneTimeTearDown]
    public void Release()
    {
        frames.Dispose();
        reference.Dispose();
    }

    [Test]
    public void StateInHostMemoryGivesIdenticalFrames()
    {
        using var actual = Run(Options with { StateDevice = ComputeDevice.Cpu });
        Assert.That(actual.eq(reference).all().item<bool>(), Is.True);
    }

    [Test]
    public void HalfPrecisionFlowsStayWithinTolerance()
    {
        using var actual = Run(Options with { Sampling = Options.Sampling with { HalfPrecisionFlows = true } });
        TensorAssert.Close(actual, reference, HalfFlowTolerance, "float16 flows vs float32 flows");
    }

    [Test]
    public void TiledDecodeStaysCloseToTheWholeDecode()
    {
        using var scope = NewDisposeScope();
        var actual = Run(Options with { Sampling = Options.Sampling with { VaeTileSize = 16 } });
        var diff = actual.sub(reference).abs();
        var (max, mean) = (diff.max().item<float>(), diff.mean().item<float>());
        TestContext.Out.WriteLine($"tiled decode (16 latent px) vs whole: max |diff| = {max:E3}, mean |diff| = {mean:E3}");
        Assert.That(actual.shape, Is.EqualTo(reference.shape));
        Assert.That(mean, Is.LessThanOrEqualTo(TiledMeanTolerance));
    }

    [Test]
    public void TilesLargerThanTheFrameChangeNothing()
    {
        using var actual = Run(Options with { Sampling = Options.Sampling with { VaeTileSize = 64 } });
        Assert.That(actual.eq(reference).all().item<bool>(), Is.True);
    }

    private Tensor Run(UpscaleOptions options)
    {
        using var pipeline = TinyPipeline.Load(options);
        return pipeline.Upscale(frames);
    }
}
