using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Cli;

/// <summary>
/// Issue 25, cases 2, 3 and 6: what cannot run is refused before a journal or an output exists, with one line and exit
/// 2, so the next (corrected) run starts without <c>--restart</c>: a step count beyond the scheduler's, frames of mixed
/// sizes, a frame cut short, a CRF out of range, frames too large for the machine's memory, an unknown device.
/// </summary>
[Category("Process")]
public class UpfrontCheckTests : TempFolderTests
{
    [Test]
    public async Task StepsBeyondTheSchedulerAreRefusedWithoutAJournal()
    {
        var input = MovingScene.WriteFolder(Temp.File("in"), 2);
        var output = Temp.File("out");
        var (code, errors) = await RunAsync(Arguments(input, output, "--steps", "1001"));
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), errors);
        AssertNothingLeft(output);
        Assert.That(await StableVsrCommand.RunAsync(Arguments(input, output)), Is.EqualTo(ExitCodes.Ok), "the next run needs no --restart");
    }

    [Test]
    public async Task FramesOfMixedSizesOrCutShortAreRefusedBeforeAnyWork()
    {
        var input = MovingScene.WriteFolder(Temp.File("in"), 3);
        var frames = Directory.GetFiles(input, "*.png").Order().ToArray();
        var output = Temp.File("out");

        File.Copy(frames[0], frames[2] + ".bak");
        File.WriteAllBytes(frames[2], File.ReadAllBytes(frames[2])[..^20]);
        var (code, errors) = await RunAsync(Arguments(input, output));
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(errors, Does.Contain(Path.GetFileName(frames[2])).And.Contain("cut short").Or.Contain("corrupt"));
        AssertNothingLeft(output);

        using (var larger = new Image<Rgb24>(40, 32))
        {
            await larger.SaveAsPngAsync(frames[2]);
        }

        (code, errors) = await RunAsync(Arguments(input, output));
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(errors, Does.Contain("same size").And.Contain("40x32"));
        AssertNothingLeft(output);

        File.Move(frames[2] + ".bak", frames[2], overwrite: true);
        Assert.That(await StableVsrCommand.RunAsync(Arguments(input, output)), Is.EqualTo(ExitCodes.Ok), "the next run needs no --restart");
    }

    [Test]
    public async Task ACrfOutOfRangeIsRefusedBeforeAnyWindow()
    {
        var input = MovingScene.WriteFolder(Temp.File("in"), 2);
        var output = Temp.File("out.mp4");
        var (code, errors) = await RunAsync(Arguments(input, output, "--crf", "99"));
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(errors, Does.Contain("CRF 99"));
        Assert.That(Directory.EnumerateFileSystemEntries(Temp.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "in" }), "no journal, lock or output");
    }

    [Test]
    public async Task FramesTooLargeForTheMachineAreRefusedNamingTheSizeBeforeAnythingIsAllocated()
    {
        var input = Directory.CreateDirectory(Temp.File("in")).FullName;
        using (var huge = new Image<L8>(8000, 8000))
        {
            await huge.SaveAsPngAsync(Path.Combine(input, "f000.png"));
        }

        var output = Temp.File("out");
        var (code, errors) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), Arguments(input, output));
        TestContext.Out.WriteLine(errors);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), errors);
        Assert.That(errors.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
        Assert.That(errors, Does.Contain("8000x8000").And.Contain("of memory"));
        AssertNothingLeft(output);
    }

    [Test]
    public async Task AnUnknownDeviceIsBadInputInOneLine()
    {
        var input = MovingScene.WriteFolder(Temp.File("in"), 1);
        var (code, errors) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), [.. Arguments(input, Temp.File("out"))[..^2], "--device", "tpu"]);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), errors);
        Assert.That(errors.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
        Assert.That(errors, Does.Contain("Unknown device 'tpu'"));
    }

    [Test]
    public void TheMemoryEstimateGrowsWithTheFrameAreaAndShrinksWithTheOptionsItNames()
    {
        var sampling = SamplingOptions.Default;
        var small = MemoryEstimate.For(320, 180, sampling);
        Assert.That(small.PeakBytes, Is.LessThan(8e9), "REDS-size frames fit a 16 GB machine");
        var tiled = MemoryEstimate.For(320, 180, sampling with { VaeTileSize = 64 });
        Assert.That(tiled.DecodeBytes, Is.LessThan(small.DecodeBytes));
        var window = MemoryEstimate.For(320, 180, sampling with { WindowSize = 2, HalfPrecisionFlows = true });
        Assert.That(window.WindowStateBytes, Is.LessThan(small.WindowStateBytes));
        Assert.That(MemoryEstimate.For(8000, 8000, sampling).PeakBytes, Is.GreaterThan(12.3e9), "at least the one allocation that failed");
        var refusal = Assert.Throws<InvalidInputException>(() => MemoryEstimate.For(640, 360, sampling).ThrowIfOver(4e9, 640, 360, sampling))!;
        Assert.That(refusal.Message, Does.Contain("640x360").And.Contain("--vae-tile").Or.Contain("RAFT"));
    }

    private static string[] Arguments(string input, string output, params string[] extra) =>
    [
        "upscale", "--input", input, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights,
        .. extra.Contains("--steps") ? extra : ["--steps", "1", .. extra], "--device", "cpu",
    ];

    private static void AssertNothingLeft(string output)
    {
        Assert.That(Directory.Exists(UpscaleJob.DefaultWorkFolder(output)), Is.False, "no journal");
        Assert.That(File.Exists(OutputLock.PathFor(UpscaleJob.DefaultWorkFolder(output))), Is.False, "no lock");
        Assert.That(!Directory.Exists(output) || Directory.GetFiles(output, "*.png").Length == 0, Is.True, "no frame");
    }

    private static async Task<(int Code, string Errors)> RunAsync(string[] arguments)
    {
        var errors = new StringWriter();
        var previous = Console.Error;
        Console.SetError(errors);
        try
        {
            return (await StableVsrCommand.RunAsync(arguments), errors.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }
}
