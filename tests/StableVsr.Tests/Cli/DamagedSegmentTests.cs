using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.IO;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.IO.Video;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Cli;

/// <summary>
/// Issue 25, case 4: a committed video segment damaged on disk while its run was down is found by the resume, before any
/// sampling, from the size and SHA-256 kept at its commit: re-made from its window when that needs no carried guidance
/// (independent windows), so the output is still byte-identical; otherwise refused in one line that names --restart.
/// </summary>
[Category("Video")]
[Category("Process")]
[Parallelizable(ParallelScope.Self)]
public class DamagedSegmentTests : TempFolderTests
{
    private const int Frames = 5;

    [Test]
    public async Task ADamagedSegmentOfIndependentWindowsIsMadeAgainToTheBytesOfAnUninterruptedRun()
    {
        var input = TestMedia.PatternWithAudio(Temp.File("in.mp4"), frames: Frames);
        var straight = Temp.File("straight.mp4");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(input, straight, "--independent-windows")), Is.EqualTo(ExitCodes.Ok));

        var output = Temp.File("out.mp4");
        var segment = await KillAfterTwoWindowsAsync(Arguments(input, output, "--independent-windows"), output, damaged: 0);
        Assert.That(await StableVsrCommand.RunAsync(Arguments(input, output, "--independent-windows", "--resume")), Is.EqualTo(ExitCodes.Ok));
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(File.ReadAllBytes(straight)), $"'{Path.GetFileName(segment)}' was made again");
    }

    [Test]
    public async Task ADamagedSegmentThatNeedsTheCarriedGuidanceIsRefusedNamingRestart()
    {
        var input = TestMedia.PatternWithAudio(Temp.File("in.mp4"), frames: Frames);
        var output = Temp.File("out.mp4");
        await KillAfterTwoWindowsAsync(Arguments(input, output), output, damaged: 1);

        var (code, errors) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), Arguments(input, output, "--resume"));
        TestContext.Out.WriteLine(errors);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(errors.Trim().Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray(), Has.Length.EqualTo(1));
        Assert.That(errors, Does.Contain("damaged").And.Contain("--restart"));
        Assert.That(File.Exists(output), Is.False);
        Assert.That(await StableVsrCommand.RunAsync(Arguments(input, output, "--restart")), Is.EqualTo(ExitCodes.Ok), "--restart makes it whole");
    }

    private static string[] Arguments(string input, string output, params string[] extra) =>
    [
        "upscale", "--input", input, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights,
        "--steps", "1", "--raft-iterations", "2", "--seed", "5", "--device", "cpu", "--window", "2", .. extra,
    ];

    // Runs until the second window is committed and the process kills itself, then flips one byte in the middle of the
    // committed segment numbered damaged; returns its path.
    private static async Task<string> KillAfterTwoWindowsAsync(string[] arguments, string output, int damaged)
    {
        await CliProcess.KillAfterCommitsAsync(2, arguments);

        var segment = Path.Combine(UpscaleJob.DefaultWorkFolder(output), VideoFileSink.SegmentName(damaged));
        Assert.That(File.Exists(segment), Is.True, "two segments committed");
        var bytes = File.ReadAllBytes(segment);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(segment, bytes);
        return segment;
    }
}
