using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Orleans;
using StableVsr.Orleans.Workers;
using StableVsr.Tests.Orleans;
using StableVsr.Tests.Support;

namespace StableVsr.Benchmarks.Orleans;

/// <summary>
/// What the cluster costs around the work, and how a job scales with silos: an in-process Orleans cluster (TestingHost,
/// job state in files as <c>--cluster localhost</c> keeps it) of 1, 2, 4, 8 or 16 silos, one simulated device each, runs a
/// job of 16 segments of <see cref="Frames"/> frames. The device is simulated (the cluster tests' model-free runner: it
/// copies each 32x32 frame after waiting <see cref="CostPerFrame"/>, and reports each frame to the job grain as the real
/// runner reports each window), so the figures are the scheduler's, not the model's; the waiting costs no CPU, as a
/// GPU-bound worker costs its host little. One operation: submit through the cluster client, follow the job to its end
/// (polled every 20 ms). With ceil(16 / silos) segments in a row on the busiest silo, the ideal time is that many segments'
/// device time; the overhead per segment is what the wall time adds to it, per segment of that row.
/// </summary>
[Config(typeof(ClusterScalingConfig))]
public class ClusterScalingBenchmarks : MeasuredBenchmark
{
    /// <summary>Segments (sequences) in the job.</summary>
    public const int Segments = 16;

    /// <summary>The simulated device time of one frame.</summary>
    public static readonly TimeSpan CostPerFrame = TimeSpan.FromMilliseconds(50);

    // How often an idle device asks for work (the CLI's default is 1 s; a job here starts within this).
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private string root = null!;
    private string input = null!;
    private InProcessTestCluster cluster = null!;
    private UpscaleClusterClient client = null!;
    private int jobs;

    /// <summary>Silos in the cluster, one device each.</summary>
    [Params(1, 2, 4, 8, 16)]
    public int Silos { get; set; } = 1;

    /// <summary>Frames per segment.</summary>
    [Params(8, 32)]
    public int Frames { get; set; } = 8;

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(ClusterScalingBenchmarks), nameof(RunJob), [(nameof(Silos), Silos), (nameof(Frames), Frames)]);

    /// <summary>The segments the busiest silo runs one after another.</summary>
    public static int SegmentsInARow(int silos) => (Segments + silos - 1) / silos;

    /// <summary>The wall time of a perfect scheduler: the busiest silo's device time, ms.</summary>
    public static double IdealMilliseconds(int silos, int frames) => SegmentsInARow(silos) * frames * CostPerFrame.TotalMilliseconds;

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        root = Directory.CreateTempSubdirectory("stablevsr-cluster-bench-").FullName;
        input = Path.Combine(root, "library");
        BenchmarkCluster.WriteLibrary(input, Segments, Frames);
        cluster = BenchmarkCluster.Start(Silos, Path.Combine(root, "state"), new StableVsrWorkerOptions { PollInterval = PollInterval }, new CopyingRunnerFactory(CostPerFrame));
        client = new UpscaleClusterClient(cluster.Client);
    }

    [Benchmark(Description = "job of 16 segments, 50 ms per frame")]
    public async Task RunJob()
    {
        var output = Path.Combine(root, $"out{++jobs}");
        var id = await client.SubmitAsync(BenchmarkCluster.Plan(input, output, Segments));
        var status = await client.WaitAsync(id, interval: TimeSpan.FromMilliseconds(20));
        if (status.State != UpscaleJobState.Succeeded || status.FramesDone != Segments * Frames)
        {
            throw new InvalidOperationException($"The job ended {status.State} with {status.FramesDone} of {Segments * Frames} frames.");
        }
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        ReleaseOwned();
        Directory.Delete(root, recursive: true);
    }
}
