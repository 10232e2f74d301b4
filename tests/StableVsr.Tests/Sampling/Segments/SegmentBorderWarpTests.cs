using StableVsr.IO;
using StableVsr.Models.Runtime;
using StableVsr.Sampling.Flow;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Segments;
using StableVsr.Tests.Support;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Segments;

/// <summary>
/// Temporal consistency at segment borders: a 12-frame moving scene (tiny model, LR 32x32, 4 steps, windows of 4)
/// upscaled whole and split into segments of 4 frames ([0, 4), [4, 8), [8, 12)) with 0, 2 and 4 warm-up frames. The
/// warp error between consecutive output frames (frame k-1 warped onto frame k with the sequence's own forward flow,
/// mean |diff| in [0, 1]) is printed for the border pairs (k = 4, 8) and the interior pairs, with each split run's
/// largest difference from the unsplit run. Warm-up 4 reaches back to frame 0 for the second segment, whose end is on
/// the window grid, so its frames must be the unsplit run's bytes: that is asserted.
/// </summary>
public class SegmentBorderWarpTests
{
    private const int Frames = 12;
    private static readonly UpscaleOptions Options = UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 4, WindowSize = 4, Seed = 3 } };

    [Test]
    public async Task WarpErrorAtSegmentBordersAgainstInteriorPairsByOverlap()
    {
        using var pipeline = TinyPipeline.Load(Options);
        var input = MovingScene.Frames(Frames);
        var whole = await RunAsync(pipeline, input, [new SequenceRange(0, Frames)]);
        var report = new List<string>();
        using (no_grad())
        using (NewDisposeScope())
        {
            var lowResolution = FrameTensors.ToTensor(input, PixelRange.MinusOneToOne);
            using var flows = SequenceFlows.Compute(pipeline.Models.Raft, lowResolution, null, Options.Sampling.RaftIterations, Options.Sampling.RaftNormalization, null, ScalarType.Float32, CancellationToken.None);
            report.Add(Line("unsplit (windows of 4, carried)", whole, whole, flows));
            foreach (var overlap in new[] { 0, 2, 4 })
            {
                var ranges = SegmentPlanner.Plan(new SequenceSurvey(Frames, []), SegmentOptions.None with { MaxSegmentFrames = 4, Overlap = overlap });
                var split = await RunAsync(pipeline, input, ranges);
                report.Add(Line($"segments of 4, overlap {overlap}", split, whole, flows));
                if (overlap == 4)
                {
                    Assert.That(split[4..8].Select(f => f.Rgb.ToArray()), Is.EqualTo(whole[4..8].Select(f => f.Rgb.ToArray())), "a segment warmed up from frame 0 and ending on the window grid is the unsplit run");
                }
            }
        }

        foreach (var line in report)
        {
            TestContext.Out.WriteLine(line);
        }
    }

    private static string Line(string name, IReadOnlyList<VideoFrame> output, IReadOnlyList<VideoFrame> reference, SequenceFlows flows)
    {
        using var scope = NewDisposeScope();
        var images = FrameTensors.ToTensor(output, PixelRange.ZeroToOne);
        var errors = Enumerable.Range(1, Frames - 1)
            .Select(k => (k, FlowWarp.Warp(images[(k - 1)..k], flows.Forward(k)).sub(images[k..(k + 1)]).abs().mean().item<float>()))
            .ToArray();
        var border = errors.Where(e => e.k % 4 == 0).Average(e => e.Item2);
        var interior = errors.Where(e => e.k % 4 != 0).Average(e => e.Item2);
        var fromWhole = FrameTensors.ToTensor(reference, PixelRange.ZeroToOne).sub(images).abs().max().item<float>();
        Assert.That(border, Is.GreaterThan(0).And.LessThan(1));
        return $"{name}: border pairs {border:F5}, interior pairs {interior:F5}, max |diff| from unsplit {fromWhole:F4}";
    }

    private static async Task<VideoFrame[]> RunAsync(StableVsrPipeline pipeline, IReadOnlyList<VideoFrame> input, IReadOnlyList<SequenceRange> ranges)
    {
        var sink = new CollectingSink();
        foreach (var range in ranges)
        {
            await pipeline.UpscaleRangeAsync(new ListSource(input), sink, range);
        }

        Assert.That(sink.Frames.Select(f => f.Index), Is.EqualTo(Enumerable.Range(0, input.Count)));
        return [.. sink.Frames];
    }

    private sealed class ListSource(IReadOnlyList<VideoFrame> frames) : IFrameSource
    {
        public string Description => "moving scene";

        public ValueTask<int?> CountFramesAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<int?>(frames.Count);

        public async IAsyncEnumerable<VideoFrame> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var frame in frames)
            {
                await Task.Yield();
                yield return frame;
            }
        }

        public ValueTask<string> FingerprintAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult("moving scene");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class CollectingSink : IFrameSink
    {
        public List<VideoFrame> Frames { get; } = [];

        public string Description => "memory";

        public ValueTask ResumeAsync(int committedFrames, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask WriteAsync(VideoFrame frame, CancellationToken cancellationToken = default)
        {
            Frames.Add(frame);
            return ValueTask.CompletedTask;
        }

        public ValueTask CommitAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
