using System.Diagnostics;
using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Cli;

/// <summary>
/// Issue 25, case 1: two <c>stablevsr upscale</c> processes on one output. The first holds its output from its first
/// commit (the test-only pause point of <see cref="TestHooks"/>, no sleeps) while the second is refused at once, in one
/// line naming the first's pid, with or without <c>--restart --overwrite</c> or <c>--resume</c>; the first then finishes
/// with its own frames. A lock left by a killed run is taken over by the next.
/// </summary>
[Category("Process")]
[Parallelizable(ParallelScope.Self)]
public class ConcurrentRunTests : TempFolderTests
{
    private const int Frames = 4;

    [Test]
    public async Task ASecondRunOnALiveRunsOutputIsRefusedAtOnceAndTheFirstFinishesWithItsOwnFrames()
    {
        var first = MovingScene.WriteFolder(Temp.File("first"), Frames, seed: 1);
        var other = MovingScene.WriteFolder(Temp.File("other"), Frames, seed: 2);
        var output = Temp.File("out");
        var pause = Directory.CreateDirectory(Temp.File("pause")).FullName;
        using var live = Start(Arguments(first, output), pause);
        try
        {
            await WaitForAsync(Path.Combine(pause, "paused"), live);
            foreach (var extra in new[] { new[] { "--restart", "--overwrite" }, ["--resume"], [] })
            {
                var (code, errors) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), Arguments(other, output, extra));
                TestContext.Out.WriteLine($"{string.Join(' ', extra)} -> {code}: {errors.Trim()}");
                Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), string.Join(' ', extra));
                Assert.That(errors.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
                Assert.That(errors, Does.Contain("in use by another run").And.Contain($"pid {live.Id} on {Environment.MachineName}"));
            }
        }
        finally
        {
            await File.WriteAllTextAsync(Path.Combine(pause, "resume"), string.Empty);
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await live.WaitForExitAsync(limit.Token);
        Assert.That(live.ExitCode, Is.EqualTo(ExitCodes.Ok), await live.StandardError.ReadToEndAsync());

        var straight = Temp.File("straight");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(first, straight)), Is.EqualTo(ExitCodes.Ok));
        var expected = Directory.GetFiles(straight, "*.png").Order().ToArray();
        var actual = Directory.GetFiles(output, "*.png").Order().ToArray();
        Assert.That(actual.Select(Path.GetFileName), Is.EqualTo(expected.Select(Path.GetFileName)));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.That(File.ReadAllBytes(actual[i]), Is.EqualTo(File.ReadAllBytes(expected[i])), "the first run's frames, none of the other input's");
        }

        Assert.That(Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName), Is.All.Not.StartWith("."), "no lock, journal or temporary file is left");
    }

    [Test]
    public async Task ALockLeftByAKilledRunIsTakenOverByTheResume()
    {
        var input = MovingScene.WriteFolder(Temp.File("in"), Frames);
        var output = Temp.File("out");
        var pause = Directory.CreateDirectory(Temp.File("pause")).FullName;
        using (var live = Start(Arguments(input, output), pause))
        {
            await WaitForAsync(Path.Combine(pause, "paused"), live);
            live.Kill();
            await live.WaitForExitAsync();
        }

        Assert.That(File.Exists(OutputLock.PathFor(UpscaleJob.DefaultWorkFolder(output))), Is.True, "the killed run left its lock file");
        var (code, errors) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), Arguments(input, output, "--resume"));
        Assert.That(code, Is.EqualTo(ExitCodes.Ok), errors);
        Assert.That(Directory.GetFiles(output, "*.png"), Has.Length.EqualTo(Frames));
        Assert.That(Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName), Is.All.Not.StartWith("."), "the lock is released");
    }

    private static string[] Arguments(string input, string output, params string[] extra) =>
    [
        "upscale", "--input", input, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights,
        "--steps", "1", "--raft-iterations", "2", "--window", "2", "--seed", "5", "--device", "cpu", .. extra,
    ];

    private static Process Start(string[] arguments, string pauseFolder)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "stablevsr")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[TestHooks.PauseAfterCommitsVariable] = "1";
        start.Environment[TestHooks.PauseFolderVariable] = pauseFolder;
        return Process.Start(start)!;
    }

    // Waits for the paused run's marker; fails with the run's errors when it exits first.
    private static async Task WaitForAsync(string marker, Process process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (!File.Exists(marker))
        {
            if (process.HasExited)
            {
                Assert.Fail($"the run exited ({process.ExitCode}) before its pause point: {await process.StandardError.ReadToEndAsync()}");
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the run did not reach its pause point");
            await Task.Delay(20);
        }
    }
}
