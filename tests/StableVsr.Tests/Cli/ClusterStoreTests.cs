using StableVsr.Cli.Commands;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.Orleans;
using StableVsr.Tests.Support;
using StackExchange.Redis;

namespace StableVsr.Tests.Cli;

/// <summary>
/// Issue 25, case 7: a Redis-backed cluster, as a user runs it (worker, status and submit processes), on a private
/// <c>redis-server</c> each test starts itself. A store that is reset stops the worker at once (exit 7) and the cluster
/// verbs say so; a worker stops within seconds on Ctrl+C even when its store is down; and with AOF persistence (the
/// production setting) a Redis killed and restarted in the middle of a job loses nothing of it.
/// </summary>
[Category("Redis")]
[NonParallelizable]
[Category("Process")]
[Category("Cluster")]
public class ClusterStoreTests
{
    private TempFolder temp = null!;

    [SetUp]
    public void CreateFolder() => temp = new TempFolder();

    [TearDown]
    public void DeleteFolder() => temp.Dispose();

    [Test]
    public async Task AResetStoreStopsTheWorkerAndTheVerbsSaySo()
    {
        using var redis = RedisServer.StartPrivate(null, null);
        var cluster = $"redis://{redis.Address}";
        using var worker = WorkerProcess.Start(Worker(cluster));
        await worker.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));

        await using (var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.Address},allowAdmin=true"))
        {
            await connection.GetServer(redis.Address).FlushAllDatabasesAsync();
        }

        Assert.That(await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.True, "the worker stops by itself:\n" + worker.Output);
        Assert.That(worker.ExitCode, Is.EqualTo(ExitCodes.ClusterUnavailable), worker.Output);
        Assert.That(worker.Output, Does.Contain("the cluster's store was reset"));

        var started = DateTime.UtcNow;
        var (code, errors) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "status", "--cluster", cluster);
        Assert.That(code, Is.EqualTo(ExitCodes.ClusterUnavailable), errors);
        Assert.That(errors, Does.Contain("store was reset"));
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(30)), "at once, not after minutes of retries");
    }

    [Test]
    public async Task CtrlCStopsAWorkerWithinSecondsWhenItsStoreIsDown()
    {
        // A test run started in the background of a non-interactive shell inherits SIGINT as ignored, and so does the
        // worker it starts: Ctrl+C cannot reach it there, whatever the worker does (SIGTERM is how such jobs are stopped).
        if (SigIntIgnoredByThisProcess())
        {
            Assert.Inconclusive("SIGINT is ignored by this test process (inherited from a background shell), so the worker cannot receive Ctrl+C; run the suite in the foreground.");
        }

        var redis = RedisServer.StartPrivate(null, null);
        using var worker = WorkerProcess.Start(Worker($"redis://{redis.Address}"));
        try
        {
            await worker.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
        }
        finally
        {
            redis.Dispose();
        }

        worker.Interrupt();
        Assert.That(await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True, "stopped within 30 s:\n" + worker.Output);
    }

    [Test]
    public async Task APersistentRedisRestartedMidJobLosesNothing()
    {
        var data = Directory.CreateDirectory(temp.File("redis")).FullName;
        var redis = RedisServer.StartPrivate(data, null);
        var port = redis.Port;
        var cluster = $"redis://{redis.Address}";
        var shared = temp.File("shared");
        var input = ClusterHarness.WriteLibrary(Path.Combine(shared, "library"), [4]);
        var expected = temp.File("expected");
        await ClusterHarness.UpscaleWithCliAsync(input, expected);

        var pause = Directory.CreateDirectory(temp.File("pause")).FullName;
        using var worker = WorkerProcess.Start(
            Worker(cluster, "--storage", shared),
            new Dictionary<string, string> { [TestHooks.PauseAfterCommitsVariable] = "1", [TestHooks.PauseFolderVariable] = pause });
        try
        {
            await worker.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
            var output = Path.Combine(shared, "library-x4");
            var submit = CliProcess.RunAsync(
                TimeSpan.FromMinutes(10), "submit", "--cluster", cluster, "--input", input, "--output", output, "--steps", "2", "--window", "2", "--seed", "11");

            // The job's first window is committed and its state in Redis: kill Redis (no shutdown save; AOF with
            // appendfsync always has every write on disk), start it again on the same port and folder, let the job go on.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            while (!File.Exists(Path.Combine(pause, "paused")))
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the job did not commit its first window:\n" + worker.Output);
                Assert.That(submit.IsCompleted, Is.False, "submit ended early: " + (submit.IsCompleted ? (await submit).Errors : string.Empty));
                await Task.Delay(50);
            }

            redis.Dispose();
            redis = RedisServer.StartPrivate(data, port);
            await File.WriteAllTextAsync(Path.Combine(pause, "resume"), string.Empty);

            var (code, errors) = await submit;
            TestContext.Out.WriteLine(errors);
            Assert.That(code, Is.EqualTo(ExitCodes.Ok), errors + "\n" + worker.Output);
            ClusterHarness.AssertSameOutputs(expected, output);
            Assert.That(worker.HasExited, Is.False, "the worker went on through the restart:\n" + worker.Output);
        }
        finally
        {
            redis.Dispose();
        }
    }

    private static string[] Worker(string cluster, params string[] extra) =>
        ["worker", "--cluster", cluster, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--device", "cpu", "--verbose", .. extra];

    // Linux's /proc/self/status lists ignored signals as a hex mask; SIGINT is signal 2, bit 1.
    private static bool SigIntIgnoredByThisProcess()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return false;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x2) != 0;
    }
}
