using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.Orleans;
using StableVsr.Orleans.Workers;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Orleans;

/// <summary>
/// What the cluster refuses or gives up on, each with a message that says what to do: an input that disappears, a
/// worker without the model or with another model, shared storage that cannot be written, and bad submissions.
/// </summary>
[Parallelizable(ParallelScope.Self)]
[Category("Cluster")]
[Category("Process")]
public class ClusterFailureTests : TempFolderTests
{
    [Test]
    public async Task AnInputThatDisappearsFailsItsSegmentOnceAndTheJobAfterTheOthersAreCommitted()
    {
        var input = ClusterHarness.WriteLibrary(Temp.File("library"), [3, 2]);
        await using var cluster = await ClusterHarness.StartAsync(1, Temp.File("state"), () => new CopyingRunnerFactory(TimeSpan.FromMilliseconds(200)));
        var client = new UpscaleClusterClient(cluster.Client);
        var output = Temp.File("out");
        var jobId = await client.SubmitAsync(ClusterHarness.Plan(input, output), ClusterHarness.JobOptions);
        Directory.Delete(Path.Combine(input, "b"), recursive: true);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var status = await client.WaitAsync(jobId, interval: TimeSpan.FromMilliseconds(100), cancellationToken: timeout.Token);
        Assert.That(status.State, Is.EqualTo(UpscaleJobState.Failed));
        Assert.That(status.Segments[0].State, Is.EqualTo(SegmentState.Done));
        Assert.That(status.Segments[1].State, Is.EqualTo(SegmentState.Failed));
        Assert.That(status.Segments[1].Attempts, Is.EqualTo(1), "bad input is not retried");
        Assert.That(status.Segments[1].Error, Does.Contain(Path.Combine(input, "b")).And.Contain("does not exist"));
        Assert.That(Directory.Exists(Path.Combine(output, "a")), Is.True);
        Assert.That(Directory.GetFileSystemEntries(output), Has.Length.EqualTo(1), "nothing of the failed segment is left");
    }

    [Test]
    public async Task AWorkerWithAnotherModelIsRefusedWhenItJoins()
    {
        var fingerprint = "model-a";
        await using var cluster = await ClusterHarness.StartAsync(1, Temp.File("state"), () => new CopyingRunnerFactory(TimeSpan.Zero, fingerprint));
        fingerprint = "model-b";
        var refused = Assert.CatchAsync(async () => await cluster.StartAdditionalSiloAsync());
        TestContext.Out.WriteLine(refused!.ToString());
        Assert.That(Flatten(refused), Does.Contain("another model").And.Contain("model-a").And.Contain("model-b"));
    }

    [Test]
    public async Task AWorkerWithoutTheModelOrWithUnwritableStorageExitsWithTheReason()
    {
        var notAFolder = Temp.File("file");
        await File.WriteAllTextAsync(notAFolder, "a file, not a folder");
        string[] Worker(params string[] extra) =>
        [
            "worker", "--cluster", "localhost", "--raft", TinyPipeline.RaftWeights, "--device", "cpu", "--state", Temp.File("state"), .. extra,
        ];

        // Processes of their own, as users start workers: a silo whose start failed leaves parts of Orleans running in
        // its process (a membership loop allocating hundreds of MB a second), which in the test process would keep the
        // garbage collector busy for every later test.
        var unwritable = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), Worker("--model", TinyPipeline.ModelFolder, "--storage", Path.Combine(notAFolder, "shared")));
        Assert.That(unwritable.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), unwritable.Errors);
        Assert.That(unwritable.Errors, Does.Contain("cannot be written"), "unwritable storage is named");
        var noModel = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), Worker("--model", Temp.File("no-model")));
        Assert.That(noModel.ExitCode, Is.EqualTo(ExitCodes.ModelError), noModel.Errors);
        Assert.That(noModel.Errors, Does.Contain("no-model").And.Contain("does not exist"), "the missing model is named");
    }

    [Test]
    public async Task ASubmissionIsCheckedBeforeAnythingRuns()
    {
        var input = ClusterHarness.WriteLibrary(Temp.File("library"), [2]);
        await using var cluster = await ClusterHarness.StartAsync(1, Temp.File("state"), () => new CopyingRunnerFactory(TimeSpan.Zero));
        var client = new UpscaleClusterClient(cluster.Client);
        var existing = Directory.CreateDirectory(Temp.File("existing")).FullName;
        Assert.ThrowsAsync<InvalidInputException>(() => client.SubmitAsync([new SequenceJob(Temp.File("missing"), Temp.File("x"))]));
        Assert.ThrowsAsync<InvalidInputException>(() => client.SubmitAsync([new SequenceJob(Path.Combine(input, "a"), existing)]));
        Assert.ThrowsAsync<InvalidInputException>(() => client.SubmitAsync([new SequenceJob(Path.Combine(input, "a"), Path.Combine(input, "a"))]));
        Assert.ThrowsAsync<InvalidInputException>(() => client.SubmitAsync([new SequenceJob(Path.Combine(input, "a"), Temp.File("y")), new SequenceJob(Path.Combine(input, "a"), Temp.File("y"))]));
        Assert.ThrowsAsync<InvalidInputException>(() => client.SubmitAsync([new SequenceJob(Path.Combine(input, "a"), Temp.File("z"))], UpscaleJobOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 0 } }));
        Assert.ThrowsAsync<InvalidInputException>(() => client.GetStatusAsync("no-such-job"));
        Assert.That(await client.GetUnfinishedJobsAsync(), Is.Empty, "nothing was submitted");
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);
}
