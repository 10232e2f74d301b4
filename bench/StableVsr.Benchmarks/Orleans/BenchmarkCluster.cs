using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.TestingHost;
using StableVsr.Orleans;
using StableVsr.Orleans.Workers;
using StableVsr.Tests.Support;

namespace StableVsr.Benchmarks.Orleans;

/// <summary>What the cluster suites share: a library of moving-scene sequences and an in-process cluster of workers.</summary>
internal static class BenchmarkCluster
{
    /// <summary>Writes sequences "s0", "s1", ... of <paramref name="frames"/> LR 32x32 frames under <paramref name="input"/>.</summary>
    public static void WriteLibrary(string input, int sequences, int frames)
    {
        for (var i = 0; i < sequences; i++)
        {
            MovingScene.WriteFolder(Path.Combine(input, $"s{i}"), frames, seed: i + 1);
        }
    }

    /// <summary>The job of the library: each sequence to the same name under <paramref name="output"/>.</summary>
    public static SequenceJob[] Plan(string input, string output, int sequences) =>
        Enumerable.Range(0, sequences).Select(i => new SequenceJob(Path.Combine(input, $"s{i}"), Path.Combine(output, $"s{i}"))).ToArray();

    /// <summary>
    /// Deploys <paramref name="silos"/> silos with job state in files under <paramref name="state"/>, each a worker with
    /// <paramref name="worker"/>'s options and, when given, the runners of <paramref name="runners"/>; logs warnings only.
    /// </summary>
    public static InProcessTestCluster Start(int silos, string state, StableVsrWorkerOptions worker, ISegmentRunnerFactory? runners = null)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            silo.AddStableVsrFileStorage(state);
            silo.AddStableVsrWorker(worker);
            if (runners is not null)
            {
                silo.Services.AddSingleton(runners);
            }
        });
        var cluster = builder.Build();
        cluster.DeployAsync().GetAwaiter().GetResult();
        return cluster;
    }
}
