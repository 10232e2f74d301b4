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
    /// <summary>How long the storm runs: long enough for the JIT to optimise the hot paths and for many collections to land inside native calls.</summary>
    private static readonly TimeSpan StormDuration = TimeSpan.FromSeconds(30);

    [Test]
    public async Task RunsUnderAGarbageCollectionStormGiveTheBytesOfAQuietRun()
    {
        using var pipeline = TinyPipeline.Load(UpscaleOptions.Default with { Steps = 2, Seed = 7 });
        var frames = MovingScene.Frames(3);
        var quietClock = System.Diagnostics.Stopwatch.StartNew();
        var quiet = Bytes(await pipeline.UpscaleAsync(frames));
        TestContext.Out.WriteLine($"quiet run: {quietClock.Elapsed.TotalSeconds:F1} s");

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
        var runs = 0;
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < StormDuration)
            {
                var stormy = Bytes(await pipeline.UpscaleAsync(frames));
                runs++;
                TestContext.Out.WriteLine($"run {runs} done at {clock.Elapsed.TotalSeconds:F1} s, {collections} collections so far");
                Assert.That(stormy, Is.EqualTo(quiet), $"run {runs} under the storm differs from the quiet run");
            }
        }
        finally
        {
            stop.Cancel();
            storm.Join();
        }

        TestContext.Out.WriteLine($"{runs} runs, {collections} forced collections, identical bytes");
        Assert.That(collections, Is.GreaterThan(runs), "the storm must collect many times per run to prove anything");
    }

    private static byte[][] Bytes(IReadOnlyList<VideoFrame> frames) => frames.Select(f => f.Rgb.ToArray()).ToArray();
}
