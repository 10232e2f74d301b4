using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.IO;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Cli;

/// <summary>The <c>stablevsr</c> command as a user runs it, in process (and once as a process, to kill it).</summary>
[Category("Process")]
[Parallelizable(ParallelScope.Self)]
public class CommandLineTests
{
    private TempFolder temp = null!;
    private string root = string.Empty;

    [SetUp]
    public void CreateFolder()
    {
        temp = new TempFolder();
        root = temp.Path;
    }

    [TearDown]
    public void DeleteFolder() => temp.Dispose();

    [Test]
    public async Task UpscaleWritesOneFramePerInputFileIncludingSequences()
    {
        var sequences = Path.Combine(root, "in");
        foreach (var sequence in new[] { "clip_a", "clip_b" })
        {
            var folder = Path.Combine(sequences, sequence);
            Directory.CreateDirectory(folder);
            foreach (var i in new[] { 0, 1 })
            {
                File.Copy(Fixtures.Case($"pipeline_lr_{i}.png"), Path.Combine(folder, $"{i:D3}.png"));
            }
        }

        var output = Path.Combine(root, "out");
        var code = await StableVsrCommand.RunAsync(
        [
            "upscale", "--input", sequences, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights,
            "--steps", "1", "--raft-iterations", "2", "--device", "cpu", "--precision", "bfloat16", "--half-flows", "--sequence-batch", "2",
        ]);

        Assert.That(code, Is.EqualTo(ExitCodes.Ok));
        foreach (var sequence in new[] { "clip_a", "clip_b" })
        {
            var files = Directory.GetFiles(Path.Combine(output, sequence)).Select(Path.GetFileName).Order().ToArray();
            Assert.That(files, Is.EqualTo(new[] { "000.png", "001.png" }));
            var frame = ImageFolderSource.ReadFrame(Path.Combine(output, sequence, "001.png"));
            Assert.That((frame.Width, frame.Height), Is.EqualTo((160, 128)));
        }
    }

    [Test]
    public async Task UpscaleReportsBadInputWithItsExitCode()
    {
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        var code = await StableVsrCommand.RunAsync(
            ["upscale", "--input", Path.Combine(root, "empty"), "--output", Path.Combine(root, "out"), "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--device", "cpu"]);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));

        code = await StableVsrCommand.RunAsync(
            ["upscale", "--input", Fixtures.Path("cases"), "--output", Path.Combine(root, "out"), "--model", Path.Combine(root, "no-model"), "--raft", TinyPipeline.RaftWeights, "--device", "cpu"]);
        Assert.That(code, Is.EqualTo(ExitCodes.ModelError));
        Assert.That(Directory.Exists(Path.Combine(root, "out")) ? Directory.GetFiles(Path.Combine(root, "out")) : [], Is.Empty);
    }

    [Test]
    public async Task RaftIterationsReachTheRunsOptionsAndBelowOneIsBadInputBeforeAnyWork()
    {
        var input = MovingScene.WriteFolder(Path.Combine(root, "in"), 4);
        var output = Path.Combine(root, "out");
        string[] Arguments(int iterations, params string[] extra) =>
        [
            "upscale", "--input", input, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--steps", "1", "--window", "2", "--device", "cpu",
            "--raft-iterations", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra,
        ];

        // The journal of a run killed after its first window records the iterations it sampled with (pixels alone would
        // not tell: at this size RAFT's refinements can move no 8-bit value), so resuming with others is refused.
        await CliProcess.KillAfterCommitsAsync(1, Arguments(2));
        var (code, errors) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), Arguments(3, "--resume"));
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), errors);
        Assert.That(errors, Does.Contain("option RaftIterations was 2, now 3"));

        var zero = Path.Combine(root, "zero");
        Assert.That(await StableVsrCommand.RunAsync(["upscale", "--input", input, "--output", zero, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--device", "cpu", "--raft-iterations", "0"]), Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(Directory.Exists(zero), Is.False, "nothing is written");
    }

    [Test]
    public async Task InspectChecksACheckpoint()
    {
        Assert.That(await StableVsrCommand.RunAsync(["inspect", TinyPipeline.ModelFolder, "--summary"]), Is.EqualTo(ExitCodes.Ok));

        var broken = Path.Combine(root, "broken.safetensors");
        var bytes = File.ReadAllBytes(Fixtures.Case("ddim.safetensors"));
        File.WriteAllBytes(broken, bytes[..(bytes.Length / 2)]);
        Assert.That(await StableVsrCommand.RunAsync(["inspect", broken]), Is.EqualTo(ExitCodes.ModelError));
        Assert.That(await StableVsrCommand.RunAsync(["inspect", Path.Combine(root, "missing")]), Is.EqualTo(ExitCodes.ModelError));
    }
}
