using StableVsr.Sampling.Pipeline;
using StableVsr.Tests.Support;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// Window-by-window sampling: a window as long as the sequence is whole-sequence sampling; noise is keyed by the frame's
/// place in the sequence, so a window does not depend on what follows it; the carry guides the next window; frames
/// come out a window at a time.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class PipelineWindowTests
{
    private static readonly UpscaleOptions Fast = UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, RaftIterations = 2, Seed = 5 } };

    [Test]
    public void AWindowAtLeastAsLongAsTheSequenceIsWholeSequenceSampling()
    {
        using var scope = NewDisposeScope();
        var frames = FramesTensor(4);

        var exact = Run(Fast with { Sampling = Fast.Sampling with { WindowSize = 4 } }, frames);
        var longer = Run(Fast with { Sampling = Fast.Sampling with { WindowSize = 1000 } }, frames);
        var windowed = Run(Fast with { Sampling = Fast.Sampling with { WindowSize = 2 } }, frames);

        Assert.That(longer.equal(exact).all().item<bool>(), Is.True, "one window of the whole sequence, whatever the window size above it");
        Assert.That(windowed.sub(exact).abs().max().item<float>(), Is.GreaterThan(0f), "smaller windows are a different sampling");
    }

    [Test]
    public void AWindowDoesNotDependOnTheFramesAfterIt()
    {
        using var scope = NewDisposeScope();
        var frames = FramesTensor(4);
        var options = Fast with { Sampling = Fast.Sampling with { WindowSize = 2 } };

        var all = Run(options, frames);
        var firstWindowOnly = Run(options, frames[..2]);
        var firstThree = Run(options, frames[..3]);

        Assert.That(all[..2].equal(firstWindowOnly).all().item<bool>(), Is.True, "window 0 is final whatever comes after it");
        Assert.That(all[..3].equal(firstThree).all().item<bool>(), Is.False, "the last window's own frames differ when it has fewer frames");
        Assert.That(all[..2].equal(firstThree[..2]).all().item<bool>(), Is.True);
    }

    [Test]
    public async Task StreamingAndTensorPathsGiveTheSameBytesAndFramesComeOutAWindowAtATime()
    {
        var options = Fast with { Sampling = Fast.Sampling with { WindowSize = 2 } };
        var frames = MovingScene.Frames(5);
        using var pipeline = TinyPipeline.Load(options);
        var pulled = 0;
        var pulledAtFirstOutput = -1;
        async IAsyncEnumerable<VideoFrame> Input()
        {
            foreach (var frame in frames)
            {
                pulled++;
                await Task.Yield();
                yield return frame;
            }
        }

        var streamed = new List<VideoFrame>();
        await foreach (var frame in pipeline.UpscaleAsync(Input()))
        {
            pulledAtFirstOutput = pulledAtFirstOutput < 0 ? pulled : pulledAtFirstOutput;
            streamed.Add(frame);
        }

        using var scope = NewDisposeScope();
        var tensor = FrameTensorsOf(frames);
        var expected = StableVsr.Models.Runtime.FrameTensors.ToFrames(pipeline.Upscale(tensor), StableVsr.Models.Runtime.PixelRange.ZeroToOne);
        Assert.That(streamed, Has.Count.EqualTo(5));
        Assert.That(pulledAtFirstOutput, Is.LessThanOrEqualTo(options.Sampling.WindowSize + 1), "the first window comes out before the rest is read");
        for (var i = 0; i < 5; i++)
        {
            Assert.That(streamed[i].Rgb.ToArray(), Is.EqualTo(expected[i].Rgb.ToArray()), $"frame {i}");
            Assert.That(streamed[i].Name, Is.EqualTo(frames[i].Name));
        }
    }

    [Test]
    public void WindowsOfOneFrameWorkAndTheCarryGuidesEachNextWindow()
    {
        using var scope = NewDisposeScope();
        var frames = FramesTensor(4);

        var guided = Run(Fast with { Sampling = Fast.Sampling with { WindowSize = 1 } }, frames);
        var independent = Run(Fast with { Sampling = Fast.Sampling with { WindowSize = 1, GuideAcrossWindows = false } }, frames);

        Assert.That(guided.shape, Is.EqualTo(new long[] { 4, 3, 128, 128 }));
        Assert.That(guided.isfinite().all().item<bool>(), Is.True);
        Assert.That(guided[..1].equal(independent[..1]).all().item<bool>(), Is.True, "the first window has nothing to be guided by");
        for (var k = 1; k < 4; k++)
        {
            Assert.That(guided[k].sub(independent[k]).abs().max().item<float>(), Is.GreaterThan(1e-4f), $"frame {k} is guided by frame {k - 1}'s window");
        }
    }

    private static Tensor FramesTensor(int count) => FrameTensorsOf(MovingScene.Frames(count));

    private static Tensor FrameTensorsOf(IReadOnlyList<VideoFrame> frames) => StableVsr.Models.Runtime.FrameTensors.ToTensor(frames, StableVsr.Models.Runtime.PixelRange.MinusOneToOne);

    private static Tensor Run(UpscaleOptions options, Tensor frames)
    {
        using var pipeline = TinyPipeline.Load(options);
        return pipeline.Upscale(frames);
    }
}
