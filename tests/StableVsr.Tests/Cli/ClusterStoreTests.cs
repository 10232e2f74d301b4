using StableVsr.Cli.Commands;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.Orleans;
using StableVsr.Tests.Support;
using StackExchange.Redis;

namespace StableVsr.Tests.Cli;

/// <summary>
/// Issue 25, case 7: a Redis-backed cluster, as a user runs it (worker, status and submit processes), on a private
/// <c>redis-server</c> each test starts itself. A worker whose store is reset rejoins with a fresh membership table,
/// drops the lost job's segment and its staging, and takes new work, while submit and status say the job was lost with
/// the store (exit 7); SIGTERM hands a running segment back and stops the worker within seconds, and Ctrl+C stops it
/// even when its store is down; and with AOF persistence (the production setting) a Redis killed and restarted in the
/// middle of a job loses nothing of it.
/// </summary>
[Category("Redis")]
[Parallelizable(ParallelScope.Self)]
[Category("Process")]
[Category("Cluster")]
public class ClusterStoreTests : TempFolderTests
{
    [Test]
    public async Task AWorkerRejoinsAfterItsStoreWasResetAndTheLostJobIsReportedAndCleanedUp()
    {
        var redis = RedisServer.StartPrivate(null, null);
        var port = redis.Port;
        var cluster = $"redis://{redis.Address}";
        var shared = Temp.File("shared");
        var input = ClusterHarness.WriteLibrary(Path.Combine(shared, "library"), [2]);
        var output = Path.Combine(shared, "library-x4");
        var staging = Path.Combine(output, ".a.stablevsr-staging");
        var pause = Directory.CreateDirectory(Temp.File("pause")).FullName;
        using var worker = PausedWorker(cluster, shared, pause);
        try
        {
            await worker.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
            var submit = CliProcess.RunAsync(TimeSpan.FromMinutes(2), "submit", "--cluster", cluster, "--input", input, "--output", output, "--steps", "1", "--raft-iterations", "2", "--window", "2", "--job", "lost");

            // The worker holds the job's segment (paused after its first window, staging on disk) when Redis restarts
            // without persistence: the membership and the job are gone.
            await WaitForAsync(() => File.Exists(Path.Combine(pause, "paused")), TimeSpan.FromMinutes(2), "the job's first window was not committed:\n" + worker.Output);
            Assert.That(Directory.Exists(staging), Is.True, "the segment is staged");
            TestContext.Out.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} restarting Redis");
            redis.Dispose();
            redis = RedisServer.StartPrivate(null, port);

            var (code, errors) = await submit;
            TestContext.Out.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} submit ended: {errors}");
            Assert.That(code, Is.EqualTo(ExitCodes.ClusterUnavailable), errors + "\n" + worker.Output);
            Assert.That(errors, Does.Contain("the cluster's store was reset").And.Contain("lost").And.Contain("--appendonly yes"), "submit says the job is lost and why");
            Assert.That(errors, Does.Not.Contain("No job"));
            await WaitForAsync(() => worker.Output.Contains("rejoined", StringComparison.Ordinal), TimeSpan.FromMinutes(1), "the worker rejoined:\n" + worker.Output);
            Assert.That(worker.HasExited, Is.False, "the worker lives on:\n" + worker.Output);
            Assert.That(worker.Output, Does.Contain("the cluster's store was reset"));
            Assert.That(Directory.Exists(staging), Is.False, "the lost job's staging was removed");

            var status = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "status", "--cluster", cluster, "lost");
            Assert.That(status.ExitCode, Is.EqualTo(ExitCodes.ClusterUnavailable), status.Errors);
            Assert.That(status.Errors, Does.Contain("store was reset at").And.Contain("lost with it"));

            // The rejoined worker takes new work: the job submitted again runs to its end.
            var again = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "submit", "--cluster", cluster, "--input", input, "--output", output, "--steps", "1", "--raft-iterations", "2", "--window", "2", "--job", "again");
            Assert.That(again.ExitCode, Is.EqualTo(ExitCodes.Ok), again.Errors + "\n" + worker.Output);
            Assert.That(Directory.GetFiles(Path.Combine(output, "a"), "*.png"), Has.Length.EqualTo(2));
            Assert.That(Directory.GetFileSystemEntries(output, ".*", SearchOption.AllDirectories), Is.Empty, "no staging left");
        }
        finally
        {
            TestContext.Out.WriteLine(worker.Output);
            redis.Dispose();
        }
    }

    [Test]
    public async Task SigTermHandsTheRunningSegmentBackAndStopsWithinSeconds()
    {
        using var redis = RedisServer.StartPrivate(null, null);
        var cluster = $"redis://{redis.Address}";
        var shared = Temp.File("shared");
        var input = ClusterHarness.WriteLibrary(Path.Combine(shared, "library"), [2]);
        var pause = Directory.CreateDirectory(Temp.File("pause")).FullName;
        using var worker = PausedWorker(cluster, shared, pause);
        await worker.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
        var submit = await CliProcess.RunAsync(
            TimeSpan.FromMinutes(1), "submit", "--cluster", cluster, "--input", input, "--output", Path.Combine(shared, "library-x4"), "--steps", "1", "--raft-iterations", "2", "--window", "2", "--job", "held", "--detach");
        Assert.That(submit.ExitCode, Is.EqualTo(ExitCodes.Ok), submit.Errors);
        await WaitForAsync(() => File.Exists(Path.Combine(pause, "paused")), TimeSpan.FromMinutes(2), "the segment's first window was not committed:\n" + worker.Output);

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.That(await worker.WaitForExitAsync(TimeSpan.FromSeconds(15)), Is.True, "stopped within 15 s of SIGTERM:\n" + worker.Output);
        TestContext.Out.WriteLine($"stopped {stopping.Elapsed.TotalSeconds:0.0} s after SIGTERM");
        Assert.That(worker.ExitCode, Is.EqualTo(ExitCodes.Ok), worker.Output);
        Assert.That(worker.Output, Does.Contain("handing the running segments back").And.Not.Contain("without handing"));

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        var (state, attempts, history) = await RedisClusterTests.StoredSegmentAsync(connection.GetDatabase(), StableVsr.Orleans.Hosting.ClusterAddress.Parse(cluster).Id, "held", 0);
        Assert.That(state, Is.EqualTo(StableVsr.Orleans.SegmentState.Pending), "the segment was handed back, in Redis");
        Assert.That(attempts, Is.EqualTo(1));
        Assert.That(history, Has.Some.Contains("its worker stopped"));
    }

    [Test]
    public async Task AWorkerWhoseStoreIsDownStopsByItselfPastItsOutageToleranceOrWithinSecondsOfCtrlC()
    {
        // Two workers of one Redis cluster (started together: they need no primary): one with an outage tolerance of
        // 2 s, one with the default 300 s that Ctrl+C stops. The stop timeout (8 s by default; hidden option) is
        // shortened: the test is about the deadlines, not their length.
        var redis = RedisServer.StartPrivate(null, null);
        var cluster = $"redis://{redis.Address}";
        using var impatient = WorkerProcess.Start(Worker(cluster, "--stop-timeout", "2", "--outage-tolerance", "2"));
        using var patient = WorkerProcess.Start(Worker(cluster, "--stop-timeout", "2"));
        try
        {
            await impatient.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
            await patient.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
        }
        finally
        {
            redis.Dispose();
        }

        Assert.That(await impatient.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True, "stopped by itself past its outage tolerance:\n" + impatient.Output);
        Assert.That(impatient.ExitCode, Is.EqualTo(ExitCodes.ClusterUnavailable), impatient.Output);
        Assert.That(impatient.Output, Does.Contain("has not answered for 2 s (--outage-tolerance)"));
        Assert.That(patient.HasExited, Is.False, "the worker with the default tolerance waits for its store:\n" + patient.Output);

        // A test run started in the background of a non-interactive shell inherits SIGINT as ignored, and so does the
        // worker it starts: Ctrl+C cannot reach it there, whatever the worker does (SIGTERM is how such jobs are stopped).
        if (SigIntIgnoredByThisProcess())
        {
            Assert.Inconclusive("SIGINT is ignored by this test process (inherited from a background shell), so the worker cannot receive Ctrl+C; run the suite in the foreground.");
        }

        patient.Interrupt();
        Assert.That(await patient.WaitForExitAsync(TimeSpan.FromSeconds(15)), Is.True, "stopped within 15 s (twice the stop timeout, and start-up slack):\n" + patient.Output);
        Assert.That(patient.Output, Does.Contain("the worker ends without handing its segments back"), "it said why it stopped without handing back");
    }

    [Test]
    public async Task APersistentRedisRestartedMidJobLosesNothing()
    {
        var data = Directory.CreateDirectory(Temp.File("redis")).FullName;
        var redis = RedisServer.StartPrivate(data, null);
        var port = redis.Port;
        var cluster = $"redis://{redis.Address}";
        var shared = Temp.File("shared");
        var input = ClusterHarness.WriteLibrary(Path.Combine(shared, "library"), [4]);
        var expected = Temp.File("expected");
        var pause = Directory.CreateDirectory(Temp.File("pause")).FullName;
        using var worker = PausedWorker(cluster, shared, pause);
        try
        {
            // The reference run while the worker starts (both take seconds).
            await ClusterHarness.UpscaleWithCliAsync(input, expected);
            await worker.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
            var output = Path.Combine(shared, "library-x4");
            var submit = CliProcess.RunAsync(
                TimeSpan.FromMinutes(10), "submit", "--cluster", cluster, "--input", input, "--output", output, "--steps", "1", "--raft-iterations", "2", "--window", "2", "--seed", "11");

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

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), failure);
            await Task.Delay(50);
        }
    }

    // A worker on the shared storage that pauses after its first committed window (creating PAUSE/paused), holding its
    // segment, until PAUSE/resume exists: a deterministic point for a restart or a signal.
    private static WorkerProcess PausedWorker(string cluster, string shared, string pause) =>
        WorkerProcess.Start(
            Worker(cluster, "--storage", shared),
            new Dictionary<string, string> { [TestHooks.PauseAfterCommitsVariable] = "1", [TestHooks.PauseFolderVariable] = pause });

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
