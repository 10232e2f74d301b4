using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.TestingHost;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.IO;
using StableVsr.Orleans;
using StableVsr.Orleans.Hosting;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.Support;

namespace StableVsr.Benchmarks.Orleans;

/// <summary>
/// The real work through the cluster on this machine: a job of <see cref="Sequences"/> sequences of
/// <see cref="Frames"/> LR 32x32 frames with the tiny model (2 steps, windows of 2, seed 11: the cluster tests' job) on
/// an in-process cluster of 1 or 2 silos, each a CPU worker with its own pipeline, against one pipeline in this process
/// upscaling the same sequences one after another as the CLI does (resumable runs with a journal, no cluster). One process, so two silos share the machine's cores (and libtorch's thread pool): the
/// figure says what a second worker on the same CPU buys, not what a second machine does.
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class ClusterThroughputBenchmarks : MeasuredBenchmark
{
    /// <summary>Sequences in the job.</summary>
    public const int Sequences = 4;

    /// <summary>Frames per sequence.</summary>
    public const int Frames = 4;

    // The cluster tests' job: 2 steps, windows of 2, seed 11.
    private static readonly UpscaleJobOptions JobOptions = UpscaleJobOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, WindowSize = 2, Seed = 11 } };

    private string root = null!;
    private string input = null!;
    private InProcessTestCluster? cluster;
    private UpscaleClusterClient? client;
    private StableVsrPipeline? pipeline;
    private int runs;

    /// <summary>Silos in the cluster; 0 runs one pipeline without a cluster instead.</summary>
    [Params(0, 1, 2)]
    public int Silos { get; set; }

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(ClusterThroughputBenchmarks), nameof(UpscaleLibrary), [(nameof(Silos), Silos)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        root = Directory.CreateTempSubdirectory("stablevsr-cluster-throughput-").FullName;
        input = Path.Combine(root, "library");
        BenchmarkCluster.WriteLibrary(input, Sequences, Frames);

        if (Silos == 0)
        {
            pipeline = Own(TinyPipeline.Load(UpscaleOptions.Default with { Sampling = JobOptions.Sampling }));
            return;
        }

        var worker = new StableVsrWorkerOptions { Model = TinyPipeline.Source, Devices = [ComputeDevice.Cpu], PollInterval = TimeSpan.FromMilliseconds(100) };
        cluster = BenchmarkCluster.Start(Silos, Path.Combine(root, "state"), worker);
        client = new UpscaleClusterClient(cluster.Client);
    }

    [Benchmark(Description = "4 sequences x 4 frames, tiny model, 2 steps")]
    public async Task UpscaleLibrary()
    {
        var output = Path.Combine(root, $"out{++runs}");
        var sequences = BenchmarkCluster.Plan(input, output, Sequences);
        if (pipeline is not null)
        {
            var runner = new UpscaleJobRunner(pipeline);
            foreach (var sequence in sequences)
            {
                await runner.RunAsync(new UpscaleJob(sequence.Input, sequence.Output) { WorkFolder = sequence.Output + ".journal" }, null, CancellationToken.None);
            }

            return;
        }

        var id = await client!.SubmitAsync(sequences, JobOptions);
        var status = await client.WaitAsync(id, interval: TimeSpan.FromMilliseconds(50));
        if (status.State != UpscaleJobState.Succeeded || status.FramesDone != Sequences * Frames)
        {
            throw new InvalidOperationException($"The job ended {status.State} with {status.FramesDone} of {Sequences * Frames} frames.");
        }
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        cluster?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        ReleaseOwned();
        Directory.Delete(root, recursive: true);
    }
}
