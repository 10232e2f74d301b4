using StableVsr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// A 24-frame run (tiny model, 32x32 frames, one step, one RAFT update to keep it short, windows of 4: six windows)
/// holds no tensor or native memory per frame processed: every full window after the first leaves the same tensors
/// alive at the same place (nothing accumulates across windows, the carry included), resident memory does not climb
/// while frames are denoised, and every latent, flow, carry and image is released afterwards. The memory curve over
/// long sequences (20, 100 and 500 frames) is measured by <c>StreamingBenchmarks</c> (bench/StableVsr.Benchmarks).
/// </summary>
public class PipelineNativeMemoryTests
{
    private const int Frames = 24;
    private const int Window = 4;
    private const int SettledFrame = 8;

    /// <summary>
    /// Resident memory may move by allocator noise while frames are denoised; a leak of what one frame's step allocates
    /// (UNet, ControlNet and decoder activations, several MB for the tiny model) over 16 frames would be far above it.
    /// </summary>
    private const long RssDriftBytes = 32L << 20;

    [Test]
    public void SixWindowsHoldNothingPerFrameAndReleaseEverything()
    {
        using var pipeline = TinyPipeline.Load(UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 1, RaftIterations = 1, WindowSize = Window, Seed = 3 } });
        using var frames = rand([Frames, 3, 32, 32], generator: new Generator(21)).mul(2).sub(1);
        using (var warmUp = frames[..2])
        {
            pipeline.Upscale(warmUp).Dispose();
        }

        var liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var live = new long[Frames];
        var resident = new long[Frames];
        using (var output = pipeline.Upscale(frames, report: (phase, frame, _, _) =>
        {
            if (phase == UpscalePhase.Denoising)
            {
                live[frame] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                resident[frame] = Environment.WorkingSet;
            }
        }))
        {
            Assert.That(output.shape, Is.EqualTo(new long[] { Frames, 3, 128, 128 }));
        }

        var drift = resident[Frames - 1] - resident[SettledFrame];
        TestContext.Out.WriteLine(
            $"live tensors: {liveBefore} before, {live.Min()}..{live.Max()} during the frames, " +
            $"{DisposeScopeManager.Statistics.ThreadTotalLiveCount} after; RSS frame {SettledFrame} -> {Frames - 1}: {drift / 1048576.0:F1} MB");
        var window = pipeline.Options.Sampling.WindowSize;
        for (var w = 2; (w + 1) * window < Frames; w++)
        {
            Assert.That(live[(w * window)..((w + 1) * window)], Is.EqualTo(live[window..(2 * window)]), $"window {w} leaves other tensors alive than window 1");
        }

        Assert.That(drift, Is.LessThan(RssDriftBytes), "resident memory climbs while frames are denoised");
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(liveBefore), "latents, flows and images are all released");
    }
}
