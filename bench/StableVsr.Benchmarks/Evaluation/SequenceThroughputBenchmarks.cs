using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Evaluation;
using StableVsr.Tests.Support;

namespace StableVsr.Benchmarks.Evaluation;

/// <summary>
/// A whole sequence through <see cref="VideoEvaluator"/> with all six metrics (fixture backbones, fixture RAFT), for
/// sequences of 5, 10 and 20 frames: time per sequence gives the throughput, and the peak memory column shows that
/// memory does not grow with the sequence (frames are made one at a time as the evaluator pulls them; it keeps only
/// the current batch and the previous frame).
/// </summary>
[Config(typeof(LongInProcessConfig))]
public class SequenceThroughputBenchmarks : MeasuredBenchmark
{
    private VideoEvaluator evaluator = null!;

    /// <summary>Frames in the sequence.</summary>
    [Params(5, 10, 20)]
    public int Frames { get; set; }

    /// <summary>Frame size, width x height (sides multiples of 8, as RAFT needs).</summary>
    [Params("320x192")]
    public string Size { get; set; } = "320x192";

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(SequenceThroughputBenchmarks), nameof(WholeSequence), [(nameof(Frames), Frames), (nameof(Size), Size)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        var weights = new EvaluationWeights(
            Fixtures.Path("metrics", "alexnet_features_random.pth"), Fixtures.Path("metrics", "vgg16_features_random.pth"), Fixtures.Path("raft", "raft_large_random.pth"));
        evaluator = Own(VideoEvaluator.LoadAsync(weights, EvaluationOptions.Default with { Device = ComputeDevice.Cpu }).GetAwaiter().GetResult());
    }

    [Benchmark(Description = "whole sequence, all six metrics")]
    public int WholeSequence()
    {
        var (width, height) = BenchmarkBackend.SizeOf(Size);
        var count = 0;
        var frames = evaluator.EvaluateSequenceAsync("bench", MakeFrames(width, height, 1), MakeFrames(width, height, 2));
        var enumerator = frames.GetAsyncEnumerator();
        try
        {
            while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                count++;
            }
        }
        finally
        {
            enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return count;
    }

    [GlobalCleanup]
    public void CleanUp() => ReleaseOwned();

    private async IAsyncEnumerable<VideoFrame> MakeFrames(int width, int height, int seed)
    {
        var random = new Random(seed);
        for (var k = 0; k < Frames; k++)
        {
            var rgb = new byte[width * height * 3];
            random.NextBytes(rgb);
            yield return new VideoFrame(width, height, rgb, k);
            await Task.Yield();
        }
    }
}
