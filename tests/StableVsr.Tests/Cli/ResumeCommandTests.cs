using System.Text.Json.Nodes;
using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Cli;

/// <summary>
/// <c>stablevsr upscale --resume</c> after the process was killed (SIGKILL) in the middle of writing a window (the
/// test-only kill point of <see cref="TestHooks"/>): the output is
/// byte-identical to an uninterrupted run's, also when the killed run chose its device with <c>--device auto</c> and the
/// resume names the device it resolved to.
/// </summary>
[Category("Process")]
[Parallelizable(ParallelScope.Self)]
public class ResumeCommandTests : TempFolderTests
{
    private const int Frames = 6;

    [Test]
    public async Task AnAutoDeviceProcessKilledMidWindowResumesOnTheCpuToTheBytesOfAnUninterruptedRun()
    {
        var input = MovingScene.WriteFolder(Temp.File("in"), Frames);
        string[] Arguments(string output, string device, params string[] extra) =>
        [
            "upscale", "--input", input, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights,
            "--steps", "2", "--raft-iterations", "2", "--window", "2", "--seed", "11", "--device", device, .. extra,
        ];
        var straight = Temp.File("straight");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(straight, "cpu")), Is.EqualTo(ExitCodes.Ok));

        var output = Temp.File("killed");
        var journal = Path.Combine(UpscaleJob.DefaultWorkFolder(output), "journal.json");
        var device = TorchSharp.torch.cuda.is_available() ? "cuda" : "cpu";

        // The test-only kill point: SIGKILL from inside, right after the first window (2 frames) is committed and the
        // second window's first frame is in the output: deterministic on any load, nothing gets a chance to clean up.
        await CliProcess.KillAfterCommitsAsync(1, Arguments(output, "auto"));

        var resumedFrom = CommittedFrames(journal);
        TestContext.Out.WriteLine($"killed after {resumedFrom} committed frame(s) of {Frames}");
        Assert.That(resumedFrom, Is.EqualTo(2), "killed after the first window");
        Assert.That(Directory.GetFiles(output, "*.png"), Has.Length.EqualTo(3), "the output holds a frame its journal does not record");
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
        var input = MovingScene.WriteFolder(Temp.File("in"), 2);
        string[] Arguments(string output, params string[] extra) =>
            ["upscale", "--input", input, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--steps", "1", "--raft-iterations", "2", "--device", "cpu", .. extra];

        Assert.That(await StableVsrCommand.RunAsync(Arguments(input)), Is.EqualTo(ExitCodes.InvalidInput), "output = input");
        var output = Temp.File("out");
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
