using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Sampling.Pipeline;
using StableVsr.Tests.Support;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>
/// A long sequence streamed through <see cref="StableVsrPipeline.UpscaleAsync(IAsyncEnumerable{VideoFrame}, IProgress{UpscaleProgress}?, CancellationToken)"/>
/// window by window (tiny model, LR 32x32, 2 steps, windows of 8): frames are generated as they are read and dropped
/// as they come out, so "Peak RSS" shows what the pipeline itself holds for 20, 100 and 500 frames (it should not grow
/// with the length), and "First frame" how soon the first window comes out against the whole run's time.
/// </summary>
[Config(typeof(StreamingConfig))]
public class StreamingBenchmarks : MeasuredBenchmark
{
    private const int Window = 8;
    private StableVsrPipeline pipeline = null!;

    /// <summary>Frames in the sequence: STABLEVSR_BENCH_FRAMES (comma-separated), default 20, 100 and 500.</summary>
    [ParamsSource(nameof(FrameCounts))]
    public int Frames { get; set; }

    /// <summary>The sequence lengths to run.</summary>
    public static IEnumerable<int> FrameCounts =>
        Environment.GetEnvironmentVariable("STABLEVSR_BENCH_FRAMES") is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)
            : [20, 100, 500];

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(StreamingBenchmarks), nameof(StreamWindows), [(nameof(Frames), Frames)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        pipeline = Own(TinyPipeline.Load(UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, WindowSize = Window } }));
    }

    [Benchmark(Description = "Streamed sequence, tiny model, LR 32x32, 2 steps, windows of 8")]
    public int StreamWindows()
    {
        var clock = Stopwatch.StartNew();
        var count = 0;
        var task = Task.Run(async () =>
        {
            await foreach (var frame in pipeline.UpscaleAsync(Generate(Frames)))
            {
                if (count++ == 0)
                {
                    StreamingConfig.FirstFrame.Record(Key, clock.Elapsed.TotalSeconds);
                }
            }
        });
        task.GetAwaiter().GetResult();
        return count;
    }

    [GlobalCleanup]
    public void CleanUp() => ReleaseOwned();

    private static async IAsyncEnumerable<VideoFrame> Generate(int frames)
    {
        for (var i = 0; i < frames; i++)
        {
            await Task.Yield();
            yield return MovingScene.Frame(i);
        }
    }
}
