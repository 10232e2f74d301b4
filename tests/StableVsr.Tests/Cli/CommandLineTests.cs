using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.IO;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Cli;

/// <summary>The <c>stablevsr</c> command as a user runs it, in process.</summary>
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
    public async Task RaftIterationsReachTheFlowsAndBelowOneIsBadInputBeforeAnyWork()
    {
        var input = MovingScene.WriteFolder(Path.Combine(root, "in"), 2);
        string[] Arguments(string output, int iterations) =>
            ["upscale", "--input", input, "--output", Path.Combine(root, output), "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--steps", "1", "--device", "cpu", "--raft-iterations", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture)];

        Assert.That(await StableVsrCommand.RunAsync(Arguments("one", 1)), Is.EqualTo(ExitCodes.Ok));
        Assert.That(await StableVsrCommand.RunAsync(Arguments("two", 2)), Is.EqualTo(ExitCodes.Ok));
        // The second frame is guided by the first warped along the flow, so a different flow gives different pixels.
        Assert.That(File.ReadAllBytes(Path.Combine(root, "two", "f001.png")), Is.Not.EqualTo(File.ReadAllBytes(Path.Combine(root, "one", "f001.png"))));

        Assert.That(await StableVsrCommand.RunAsync(Arguments("zero", 0)), Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(Directory.Exists(Path.Combine(root, "zero")), Is.False, "nothing is written");
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
