using System.Diagnostics;
using System.Text.Json.Nodes;
using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Cli;

/// <summary>
/// <c>stablevsr upscale --resume</c> after the process was killed (SIGKILL) in the middle of a window: the output is
/// byte-identical to an uninterrupted run's, also when the killed run chose its device with <c>--device auto</c> and the
/// resume names the device it resolved to.
/// </summary>
[Category("Process")]
public class ResumeCommandTests
{
    private const int Frames = 12;

    private TempFolder temp = null!;

    [SetUp]
    public void CreateFolder() => temp = new TempFolder();

    [TearDown]
    public void DeleteFolder() => temp.Dispose();

    [Test]
    public async Task AnAutoDeviceProcessKilledMidWindowResumesOnTheCpuToTheBytesOfAnUninterruptedRun()
    {
        var input = MovingScene.WriteFolder(temp.File("in"), Frames);
        string[] Arguments(string output, string device, params string[] extra) =>
        [
            "upscale", "--input", input, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights,
            "--steps", "2", "--window", "2", "--seed", "11", "--device", device, .. extra,
        ];
        var straight = temp.File("straight");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(straight, "cpu")), Is.EqualTo(ExitCodes.Ok));

        var output = temp.File("killed");
        var journal = Path.Combine(UpscaleJob.DefaultWorkFolder(output), "journal.json");
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "stablevsr")) { RedirectStandardError = true, RedirectStandardOutput = true };
        var device = TorchSharp.torch.cuda.is_available() ? "cuda" : "cpu";
        foreach (var argument in Arguments(output, "auto"))
        {
            start.ArgumentList.Add(argument);
        }

        using (var process = Process.Start(start)!)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var committed = 0;
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            while (committed < 2 && !process.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
                committed = CommittedFrames(journal);
            }

            // Into the next window, then SIGKILL: nothing gets a chance to clean up.
            await Task.Delay(300);
            Assert.That(process.HasExited, Is.False, "the run finished before it could be killed; give it more frames. " + (process.HasExited ? await stderr : string.Empty));
            process.Kill();
            await process.WaitForExitAsync();
        }

        var resumedFrom = CommittedFrames(journal);
        TestContext.Out.WriteLine($"killed after {resumedFrom} committed frame(s) of {Frames}");
        Assert.That(resumedFrom, Is.InRange(2, Frames - 2), "killed between windows 1 and the last");
        Assert.That(JsonNode.Parse(File.ReadAllText(journal))?["Options"]?["Device"]?.GetValue<string>(), Is.EqualTo(device), "the journal records the device auto resolved to");

        Assert.That(await StableVsrCommand.RunAsync(Arguments(output, device, "--resume")), Is.EqualTo(ExitCodes.Ok));

        var expected = Directory.GetFiles(straight, "*.png").Order().ToArray();
        var actual = Directory.GetFiles(output, "*.png").Order().ToArray();
        Assert.That(actual.Select(Path.GetFileName), Is.EqualTo(expected.Select(Path.GetFileName)));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.That(File.ReadAllBytes(actual[i]), Is.EqualTo(File.ReadAllBytes(expected[i])), Path.GetFileName(expected[i]));
        }

        Assert.That(Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName), Is.All.Not.StartWith("."), "no journal or temporary file is left");
    }

    [Test]
    public async Task AnExistingOutputOrTheInputItselfIsRefused()
    {
        var input = MovingScene.WriteFolder(temp.File("in"), 2);
        string[] Arguments(string output, params string[] extra) =>
            ["upscale", "--input", input, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--steps", "1", "--device", "cpu", .. extra];

        Assert.That(await StableVsrCommand.RunAsync(Arguments(input)), Is.EqualTo(ExitCodes.InvalidInput), "output = input");
        var output = temp.File("out");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(output)), Is.EqualTo(ExitCodes.Ok));
        var written = File.GetLastWriteTimeUtc(Path.Combine(output, "f000.png"));
        Assert.That(await StableVsrCommand.RunAsync(Arguments(output)), Is.EqualTo(ExitCodes.InvalidInput), "an existing output without --overwrite");
        Assert.That(File.GetLastWriteTimeUtc(Path.Combine(output, "f000.png")), Is.EqualTo(written), "left untouched");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(output, "--overwrite")), Is.EqualTo(ExitCodes.Ok));
        Assert.That(await StableVsrCommand.RunAsync(Arguments(output, "--resume", "--restart")), Is.EqualTo(ExitCodes.InvalidInput));
    }

    private static int CommittedFrames(string journal)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(journal))?["CommittedFrames"]?.GetValue<int>() ?? 0;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return 0;
        }
    }
}
