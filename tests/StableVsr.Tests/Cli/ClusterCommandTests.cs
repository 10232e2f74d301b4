using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.Tests.Orleans;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Cli;

/// <summary>
/// The README's one-machine cluster, as a user runs it: two <c>stablevsr worker --cluster localhost</c> processes and a
/// <c>stablevsr submit</c> process; the output equals the single-process <c>stablevsr upscale</c> byte for byte and both
/// workers took segments.
/// </summary>
[NonParallelizable]
[Category("Cluster")]
[Category("Process")]
public class ClusterCommandTests : TempFolderTests
{
    [Test]
    public async Task TwoWorkerProcessesAndASubmitGiveTheBytesOfTheSingleProcessCli()
    {
        var shared = Temp.File("shared");
        var input = ClusterHarness.WriteLibrary(Path.Combine(shared, "library"), [2, 2]);
        var expected = Temp.File("expected");
        string[] worker = ["worker", "--cluster", "localhost", "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--device", "cpu", "--storage", shared, "--verbose"];
        using var first = WorkerProcess.Start(worker);

        // The reference run while the first worker starts (both take seconds).
        await ClusterHarness.UpscaleWithCliAsync(input, expected);
        await first.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
        using var second = WorkerProcess.Start(worker);
        await second.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));

        var output = Path.Combine(shared, "library-x4");
        // About a minute alone on 2 cores; the limit only catches a hang, on a machine as loaded as a shared one gets.
        var submit = await CliProcess.RunAsync(
            TimeSpan.FromMinutes(20),
            "submit", "--cluster", "localhost", "--input", input, "--output", output, "--steps", "1", "--raft-iterations", "2", "--window", "2", "--seed", "11");
        TestContext.Out.WriteLine(submit.Errors);
        Assert.That(submit.ExitCode, Is.EqualTo(ExitCodes.Ok), submit.Errors);
        ClusterHarness.AssertSameOutputs(expected, output);
        Assert.That(first.Output, Does.Contain("running segment"), "the first worker took segments:\n" + first.Output);
        Assert.That(second.Output, Does.Contain("running segment"), "the second worker took segments:\n" + second.Output);
    }
}
