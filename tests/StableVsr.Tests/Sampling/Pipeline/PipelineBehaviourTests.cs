using StableVsr.IO;
using StableVsr.Sampling.Pipeline;
using StableVsr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>What a user of <see cref="StableVsrPipeline"/> relies on beyond parity: determinism, clear errors, cancellation, no leaks.</summary>
[Parallelizable(ParallelScope.Self)]
public class PipelineBehaviourTests
{
    private StableVsrPipeline pipeline = null!;

    [OneTimeSetUp]
    public void Load() => pipeline = TinyPipeline.Load(UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, RaftIterations = 2, Seed = 7 } });

    [OneTimeTearDown]
    public void Unload() => pipeline.Dispose();

    private static VideoFrame[] Sequence(int count, int width, int height, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var bytes = new byte[width * height * 3];
            random.NextBytes(bytes);
            return new VideoFrame(width, height, bytes, i, $"f{i}.png");
        }).ToArray();
    }

    [Test]
    public async Task SameSeedGivesIdenticalBytesWhateverRanBefore()
    {
        var a = Sequence(2, 32, 32, 1);
        var b = Sequence(3, 36, 32, 2);
        var firstA = await pipeline.UpscaleAsync(a);
        var thenB = await pipeline.UpscaleAsync(b);
        var againB = await pipeline.UpscaleAsync(b);
        var againA = await pipeline.UpscaleAsync(a);
        Assert.That(againA.Select(f => f.Rgb.ToArray()), Is.EqualTo(firstA.Select(f => f.Rgb.ToArray())));
        Assert.That(againB.Select(f => f.Rgb.ToArray()), Is.EqualTo(thenB.Select(f => f.Rgb.ToArray())));
        Assert.That(firstA.Select(f => (f.Width, f.Height, f.Index, f.Name)), Is.EqualTo(a.Select(f => (f.Width * 4, f.Height * 4, f.Index, f.Name))));
    }

    [Test]
    public void NoiseDependsOnlyOnSeedStepAndFrame()
    {
        var source = new StableVsr.Sampling.Noise.SeededNoiseSource(5);
        using var late = source.StepNoise(3, 1, [1, 4, 8, 8], CPU);
        using var early = source.StepNoise(0, 0, [1, 4, 8, 8], CPU);
        using var lateAgain = new StableVsr.Sampling.Noise.SeededNoiseSource(5).StepNoise(3, 1, [1, 4, 8, 8], CPU);
        using var otherFrame = source.StepNoise(3, 2, [1, 4, 8, 8], CPU);
        Assert.That(late.eq(lateAgain).all().item<bool>(), Is.True);
        Assert.That(late.eq(otherFrame).all().item<bool>(), Is.False);
        Assert.That(late.eq(early).all().item<bool>(), Is.False);
    }

    [TestCase(13, 9)]
    [TestCase(30, 34)]
    public async Task OddAndSmallSizesArePaddedAndCroppedBack(int width, int height)
    {
        var output = await pipeline.UpscaleAsync(Sequence(2, width, height, 3));
        Assert.That(output.Select(f => (f.Width, f.Height)), Is.All.EqualTo((width * 4, height * 4)));
    }

    [Test]
    public void MixedSizesAreRefusedNamingTheFrames()
    {
        var frames = Sequence(2, 32, 32, 4).Append(Sequence(1, 40, 32, 5)[0].WithIndex(2, "odd.png")).ToArray();
        var ex = Assert.ThrowsAsync<InvalidInputException>(() => pipeline.UpscaleAsync(frames));
        Assert.That(ex!.Message, Does.Contain("odd.png").And.Contain("40x32").And.Contain("32x32"));
    }

    [Test]
    public void AnEmptySequenceIsRefused()
    {
        var ex = Assert.ThrowsAsync<InvalidInputException>(() => pipeline.UpscaleAsync(Array.Empty<VideoFrame>()));
        Assert.That(ex!.Message, Does.Contain("no frames"));
    }

    [Test]
    public void BadTensorsAreRefused()
    {
        using var twoChannels = zeros(1, 2, 32, 32);
        Assert.Throws<InvalidInputException>(() => pipeline.Upscale(twoChannels));
        using var noFrames = zeros(0, 3, 32, 32);
        Assert.Throws<InvalidInputException>(() => pipeline.Upscale(noFrames));
    }

    [Test]
    public void CancellationStopsWithinAStepAndLeavesNoFile()
    {
        using var root = new TempFolder();
        var input = root.File("in");
        var output = root.File("out");
        var writer = new ImageFolderSink(input);
        foreach (var frame in Sequence(3, 32, 32, 6))
        {
            writer.WriteAsync(frame).GetAwaiter().GetResult();
        }

        using var cts = new CancellationTokenSource();
        var denoisingReports = 0;
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase == UpscalePhase.Denoising && ++denoisingReports == 1)
            {
                cts.Cancel();
            }
        });
        var ex = Assert.ThrowsAsync<UpscaleCanceledException>(() => pipeline.UpscaleFolderAsync(input, output, progress, cts.Token));
        Assert.That(ex!.CancellationToken, Is.EqualTo(cts.Token));
        Assert.That(denoisingReports, Is.EqualTo(1), "no further frame was denoised after cancellation");
        Assert.That(Directory.Exists(output) ? Directory.GetFiles(output) : [], Is.Empty);
    }

    [Test]
    public void RepeatedRunsLeakNoTensors()
    {
        using var frames = rand(2, 3, 32, 32).mul(2).sub(1);
        pipeline.Upscale(frames).Dispose();
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < 2; i++)
        {
            pipeline.Upscale(frames).Dispose();
        }

        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(live));
    }

    [Test]
    public async Task ReportsProgressThroughEveryPhase()
    {
        var reports = new List<UpscaleProgress>();
        await pipeline.UpscaleAsync(Sequence(2, 32, 32, 8), new SynchronousProgress(reports.Add));
        Assert.That(reports.Select(r => r.Phase).Distinct(), Is.SupersetOf(new[] { UpscalePhase.Reading, UpscalePhase.OpticalFlow, UpscalePhase.Denoising, UpscalePhase.Decoding, UpscalePhase.Completed }));
        Assert.That(reports.Where(r => r.Phase == UpscalePhase.Denoising).Select(r => r.Step).Distinct(), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(reports.Select(r => r.Fraction), Is.Ordered);
        Assert.That(reports[^1].Fraction, Is.EqualTo(1));
    }
}
