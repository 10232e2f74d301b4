using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.IO;
using StableVsr.Models.Runtime;
using StableVsr.Sampling.Flow;
using StableVsr.Sampling.Jobs;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;
using StableVsr.Tests.Support;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>
/// Temporal consistency at segment borders (what <c>--segment-frames</c>/<c>--overlap</c> cost in flicker): a 12-frame
/// moving scene (tiny model, LR 32x32, 4 steps, windows of 4) upscaled unsplit and split into segments of 4 frames
/// ([0, 4), [4, 8), [8, 12)) with 0, 2 and 4 warm-up frames, each segment a range run of the job layer. For each case the
/// warp error between consecutive output frames (frame k-1 warped onto frame k with the sequence's own forward flow,
/// mean |diff| in [0, 1]) is averaged over the border pairs (k = 4, 8) and the interior pairs, with the case's largest
/// difference from the unsplit run. The behaviour this measured as a unit test (a segment warmed up from frame 0 that
/// ends on the window grid is the unsplit run) is asserted by <c>RangeUpscaleTests</c>.
/// </summary>
[Config(typeof(SegmentBorderWarpConfig))]
public class SegmentBorderWarpBenchmarks : MeasuredBenchmark
{
    private const int Frames = 12;
    private const int SegmentFrames = 4;
    private static readonly UpscaleOptions Options = UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 4, WindowSize = 4, Seed = 3 } };
    private static VideoFrame[]? unsplit;
    private StableVsrPipeline pipeline = null!;
    private VideoFrame[] input = [];
    private VideoFrame[] output = [];

    /// <summary>Warm-up frames before each segment; -1 is the unsplit run.</summary>
    [Params(-1, 0, 2, 4)]
    public int Overlap { get; set; }

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(SegmentBorderWarpBenchmarks), nameof(Upscale), [(nameof(Overlap), Overlap.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        pipeline = Own(TinyPipeline.Load(Options));
        input = MovingScene.Frames(Frames);
    }

    [Benchmark(Description = "12 frames in segments of 4, tiny model, LR 32x32, 4 steps, windows of 4")]
    public void Upscale() => output = RunAsync(pipeline, input, Ranges(Overlap)).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void CleanUp()
    {
        // The unsplit run is the reference of every case (the in-process toolchain runs the cases in one process).
        unsplit ??= Overlap < 0 ? output : RunAsync(pipeline, input, Ranges(-1)).GetAwaiter().GetResult();
        using (no_grad())
        using (NewDisposeScope())
        {
            var lowResolution = FrameTensors.ToTensor(input, PixelRange.MinusOneToOne);
            using var flows = SequenceFlows.Compute(pipeline.Models.Raft, lowResolution, null, Options.Sampling.RaftIterations, Options.Sampling.RaftNormalization, null, ScalarType.Float32, CancellationToken.None);
            var images = FrameTensors.ToTensor(output, PixelRange.ZeroToOne);
            var (border, interior) = ConsecutiveWarpError.Of(images, flows, SegmentFrames);
            SegmentBorderWarpConfig.Border.Record(Key, border);
            SegmentBorderWarpConfig.Interior.Record(Key, interior);
            SegmentBorderWarpConfig.FromUnsplit.Record(Key, FrameTensors.ToTensor(unsplit, PixelRange.ZeroToOne).sub(images).abs().max().item<float>());
        }

        ReleaseOwned();
    }

    private static IReadOnlyList<SequenceRange> Ranges(int overlap) => overlap < 0
        ? [new SequenceRange(0, Frames)]
        : SegmentPlanner.Plan(new SequenceSurvey(Frames, []), SegmentOptions.None with { MaxSegmentFrames = SegmentFrames, Overlap = overlap });

    private static async Task<VideoFrame[]> RunAsync(StableVsrPipeline pipeline, IReadOnlyList<VideoFrame> input, IReadOnlyList<SequenceRange> ranges)
    {
        var sink = new CollectingFrameSink();
        foreach (var range in ranges)
        {
            await ResumableRun.RunAsync(pipeline, new FrameListSource(input), sink, range, null, ResumeMode.New, null, null, NullLogger.Instance, CancellationToken.None);
        }

        return sink.Frames.Select(f => f.Index).SequenceEqual(Enumerable.Range(0, input.Count))
            ? [.. sink.Frames]
            : throw new InvalidOperationException($"The ranges gave frames {string.Join(", ", sink.Frames.Select(f => f.Index))}, not 0..{input.Count - 1} once each.");
    }
}
