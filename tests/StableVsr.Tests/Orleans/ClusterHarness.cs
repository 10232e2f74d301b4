using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.IO;
using StableVsr.Orleans;
using StableVsr.Orleans.Workers;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Orleans;

/// <summary>
/// In-process Orleans clusters of StableVsr workers on the fixtures' tiny model (each silo loads its own pipeline on the
/// CPU), with job state in files, and the single-process CLI run the cluster's output must equal byte for byte.
/// </summary>
internal static class ClusterHarness
{
    /// <summary>The output options of every job here: 1 step (the smallest run that takes every path), windows of 2 frames, seed 11.</summary>
    public static readonly UpscaleJobOptions JobOptions = UpscaleJobOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 1, RaftIterations = 2, WindowSize = 2, Seed = 11 } };

    /// <summary>
    /// Starts <paramref name="silos"/> silos, each a worker on the CPU with the tiny model, or with the runners
    /// <paramref name="runners"/> makes (called once per silo, also for silos started later).
    /// </summary>
    public static async Task<InProcessTestCluster> StartAsync(int silos, string stateFolder, Func<ISegmentRunnerFactory>? runners = null)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddStableVsrFileStorage(stateFolder);
            silo.AddStableVsrWorker(new StableVsrWorkerOptions
            {
                Model = TinyPipeline.Source,
                Devices = [ComputeDevice.Cpu],
                PollInterval = TimeSpan.FromMilliseconds(200),
            });
            if (runners is not null)
            {
                silo.Services.AddSingleton(runners());
            }

            // A killed silo is declared dead within seconds rather than the production defaults' tens of seconds.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>
    /// An input folder of sequences: frame folders "a", "b", ... with the given frame counts (32x32, each its own
    /// scene), and, when <paramref name="videoFrames"/> is set, an H.264 video "v.mp4" with audio of that many frames.
    /// </summary>
    public static string WriteLibrary(string root, int[] frames, int? videoFrames = null)
    {
        for (var i = 0; i < frames.Length; i++)
        {
            MovingScene.WriteFolder(Path.Combine(root, ((char)('a' + i)).ToString()), frames[i], seed: i + 1);
        }

        if (videoFrames is { } count)
        {
            IO.Video.TestMedia.PatternWithAudio(Path.Combine(root, "v.mp4"), frames: count);
        }

        return root;
    }

    /// <summary>The job of a folder of sequences: the same sequence-to-output plan as <c>stablevsr upscale</c>.</summary>
    public static IReadOnlyList<SequenceJob> Plan(string input, string output) =>
        UpscaleJob.Discover(input, output, VideoCodec.H264).Select(p => new SequenceJob(p.Input, p.Output)).ToArray();

    /// <summary>Runs the single-process CLI with the job's options (and <paramref name="extra"/> arguments).</summary>
    public static async Task UpscaleWithCliAsync(string input, string output, params string[] extra)
    {
        var exit = await StableVsrCommand.RunAsync(
        [
            "upscale", "--input", input, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights,
            "--steps", "1", "--raft-iterations", "2", "--window", "2", "--seed", "11", "--device", "cpu", .. extra,
        ]);
        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), "the single-process reference run");
    }

    /// <summary>Asserts that two output trees hold the same files with the same bytes, and no hidden (temporary) entry.</summary>
    public static void AssertSameOutputs(string expected, string actual)
    {
        string[] Files(string root) => Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToArray();
        var names = Files(expected);
        Assert.That(Files(actual), Is.EqualTo(names), "the same files");
        foreach (var name in names)
        {
            Assert.That(File.ReadAllBytes(Path.Combine(actual, name)), Is.EqualTo(File.ReadAllBytes(Path.Combine(expected, name))), name);
        }

        var hidden = Directory.GetFileSystemEntries(actual, ".*", SearchOption.AllDirectories);
        Assert.That(hidden, Is.Empty, "no staging output, journal or temporary file is left");
    }
}
