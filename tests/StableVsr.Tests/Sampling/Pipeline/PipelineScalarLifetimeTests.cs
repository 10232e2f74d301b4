using StableVsr.Sampling.Pipeline;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// The pipeline inside a busy host: while another thread keeps the collector and the finalizer thread running,
/// every run must finish and give the bytes of a quiet run. A TorchSharp <c>Scalar</c> that the code does not keep
/// alive can be finalized (its native value freed) while libtorch still reads it; before StableVsr held its Scalars
/// this failed within seconds with "Expected false to be true ... toFloat at c10/core/Scalar.h".
/// </summary>
public class PipelineScalarLifetimeTests
{
    /// <summary>
    /// Quiet runs first, so the JIT has optimised the hot paths (unoptimised code keeps temporaries alive to the end of
    /// the method and hides the bug); before the fix the second or third run under the storm failed.
    /// </summary>
    private const int QuietRuns = 2;

    private const int StormyRuns = 3;

    [Test]
    public async Task RunsUnderAGarbageCollectionStormGiveTheBytesOfAQuietRun()
    {
        using var pipeline = TinyPipeline.Load(UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, RaftIterations = 2, Seed = 7 } });
        var frames = MovingScene.Frames(2);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var quiet = Bytes(await pipeline.UpscaleAsync(frames));
        for (var i = 1; i < QuietRuns; i++)
        {
            Assert.That(Bytes(await pipeline.UpscaleAsync(frames)), Is.EqualTo(quiet), "quiet runs differ");
        }

        TestContext.Out.WriteLine($"{QuietRuns} quiet runs: {clock.Elapsed.TotalSeconds:F1} s");

        using var stop = new CancellationTokenSource();
        var collections = 0;
        var storm = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Young garbage, then a gen0 collection whose finalizers run before the next one: the temporaries
                // at risk are young, and a young collection leaves the sampling thread running at nearly full speed.
                var garbage = new byte[1 + (collections % 64)][];
                for (var i = 0; i < garbage.Length; i++)
                {
                    garbage[i] = new byte[1024 * (i + 1)];
                }

                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
                Thread.Sleep(1);
                Interlocked.Increment(ref collections);
            }
        }) { IsBackground = true, Name = "GC storm" };

        storm.Start();
        try
        {
            for (var run = 1; run <= StormyRuns; run++)
            {
                var stormy = Bytes(await pipeline.UpscaleAsync(frames));
                TestContext.Out.WriteLine($"run {run} under the storm done at {clock.Elapsed.TotalSeconds:F1} s, {collections} collections so far");
                Assert.That(stormy, Is.EqualTo(quiet), $"run {run} under the storm differs from the quiet runs");
            }
        }
        finally
        {
            stop.Cancel();
            storm.Join();
        }

        Assert.That(collections, Is.GreaterThan(100 * StormyRuns), "the storm must collect many times per run to prove anything");
    }

    private static byte[][] Bytes(IReadOnlyList<VideoFrame> frames) => frames.Select(f => f.Rgb.ToArray()).ToArray();
}
