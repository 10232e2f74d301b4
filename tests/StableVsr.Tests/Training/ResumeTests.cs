using System.Diagnostics;
using StableVsr.Tests.Support;
using StableVsr.Training.Checkpoints;
using StableVsr.Training.Logging;

namespace StableVsr.Tests.Training;

/// <summary>A resumed run continues exactly: 4 steps straight equal 2 steps, a resume, and 2 more, bit for bit.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class ResumeTests
{
    [Test]
    public void FourStepsStraightEqualTwoStepsResumeAndTwoMore()
    {
        using var temp = new TempFolder();
        var data = temp.File("data");
        SyntheticTrainingData.Write(data, ["001", "002"], frames: 4);
        var straight = TinyTrainingRun.Options(data, temp.File("straight")) with { BatchSize = 1, MaxTrainSteps = 4, CheckpointingSteps = 2 };
        var split = straight with { Output = temp.File("split") };

        var clock = Stopwatch.StartNew();
        TinyTrainingRun.Run(straight);
        TestContext.Out.WriteLine($"4 steps straight: {clock.Elapsed.TotalSeconds:F1} s");
        TinyTrainingRun.Run(split with { MaxTrainSteps = 2 });
        TinyTrainingRun.Run(split with { ResumeFrom = "latest" });

        var weights = Path.Combine(CheckpointStore.ControlNetFolder, CheckpointStore.WeightsFile);
        AssertSameBytes(Path.Combine(straight.Output, CheckpointStore.WeightsFile), Path.Combine(split.Output, CheckpointStore.WeightsFile), "final ControlNet");
        AssertSameBytes(Path.Combine(straight.Output, "checkpoint-4", weights), Path.Combine(split.Output, "checkpoint-4", weights), "checkpoint-4 ControlNet");
        AssertSameBytes(Path.Combine(straight.Output, "checkpoint-4", CheckpointStore.OptimizerFile), Path.Combine(split.Output, "checkpoint-4", CheckpointStore.OptimizerFile), "checkpoint-4 optimizer");
        Assert.That(Losses(split.Output), Is.EqualTo(Losses(straight.Output)), "the logged losses of every step");
        Assert.That(Losses(split.Output), Has.Count.EqualTo(4));
    }

    private static List<string> Losses(string output) =>
        File.ReadLines(Path.Combine(output, TrainingCsvLog.FileName)).Skip(1).Select(l => string.Join(',', l.Split(',')[..5])).ToList();

    private static void AssertSameBytes(string expected, string actual, string what)
    {
        var (a, b) = (File.ReadAllBytes(expected), File.ReadAllBytes(actual));
        Assert.That(b.Length, Is.EqualTo(a.Length), what);
        Assert.That(b.AsSpan().SequenceEqual(a), Is.True, $"{what}: the bytes differ");
        TestContext.Out.WriteLine($"{what}: {a.Length} bytes, identical");
    }
}
