using StableVsr.Tensors;
using StableVsr.Training;
using StableVsr.Training.Randomness;
using StableVsr.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Tests.Training;

/// <summary>
/// Gradient accumulation as accelerate does it (each loss divided by the step count, gradients summed, synced at epoch
/// ends), and what one device needs to reproduce train.sh's data-parallel run: there, each of P processes computes the
/// gradient of its own batch's mean loss, with RAFT's BatchNorm statistics taken over that process's batch, and DDP
/// averages the P gradients. On one device, <c>--train-batch-size B --gradient-accumulation-steps P</c> runs the same P
/// batches one after another, each with its own RAFT statistics, and sums gradients of losses divided by P: the same mean.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class GradientAccumulationTests
{
    private const int Processes = 2;
    private const int BatchPerProcess = 2;
    private const int Size = 128;

    [TestCase(0, 5, 2, false)]
    [TestCase(1, 5, 2, true)]
    [TestCase(3, 5, 2, true)]
    [TestCase(4, 5, 2, true)]
    [TestCase(0, 1, 4, true)]
    [TestCase(2, 8, 4, false)]
    [TestCase(3, 8, 4, true)]
    public void OptimizerStepsCloseEveryNBatchesAndEachEpoch(int batch, int batchesPerEpoch, int accumulation, bool closes) =>
        Assert.That(TrainingSession.EndsAccumulation(batch, batchesPerEpoch, accumulation), Is.EqualTo(closes));

    [Test]
    public void AccumulatedProcessBatchesGiveTheDataParallelMeanAndOneBigBatchDoesNot()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3, CPU);
        using var tiny = new TinyTrainingNetworks(randn([1, 77, 32], generator: generator));
        var step = new TrainingStep(tiny.Networks with { RaftIterations = 2 });
        var samples = Processes * BatchPerProcess;
        var gt = rand([samples, TrainingStep.WindowFrames, 3, Size, Size], generator: generator);
        var lq = nn.functional.avg_pool2d(gt.view(-1, 3, Size, Size), 4).view(samples, TrainingStep.WindowFrames, 3, Size / 4, Size / 4);
        var randomness = new SeededTrainingRandomness(5);
        var draws = randomness.ForBatch(0);

        // Data parallel: each process's gradient of its mean loss, alone; DDP then averages them.
        var perProcess = new List<Tensor[]>();
        for (var p = 0; p < Processes; p++)
        {
            step.Run(ProcessSlice(gt, p), ProcessSlice(lq, p), draws);
            perProcess.Add([.. tiny.Parameters.Select(q => q.Parameter.grad!.clone())]);
            Zero(tiny);
        }

        // One device: the same process batches accumulated, each loss divided by the number of steps.
        for (var p = 0; p < Processes; p++)
        {
            step.Run(ProcessSlice(gt, p), ProcessSlice(lq, p), draws, accumulationSteps: Processes);
        }

        var worst = 0.0;
        var largest = 0.0;
        for (var k = 0; k < tiny.Parameters.Count; k++)
        {
            var mean = perProcess.Skip(1).Aggregate(perProcess[0][k].clone(), (sum, grads) => sum.add_(grads[k], ScalarCache.Of(1))).div(ScalarCache.Of(Processes));
            worst = Math.Max(worst, tiny.Parameters[k].Parameter.grad!.sub(mean).abs().max().item<float>());
            largest = Math.Max(largest, mean.abs().max().item<float>());
        }

        TestContext.Out.WriteLine($"{Processes} accumulated batches of {BatchPerProcess} against the mean of {Processes} process gradients: max |diff| = {worst:E3} (largest gradient {largest:E3})");
        Assert.That(largest, Is.GreaterThan(0));
        Assert.That(worst, Is.LessThanOrEqualTo(1e-6 * largest));

        // One batch of all samples normalises RAFT's context features over all of them: other flows than P batches give.
        var together = Flow(step, gt, lq, draws);
        var apart = cat(Enumerable.Range(0, Processes).Select(p => Flow(step, ProcessSlice(gt, p), ProcessSlice(lq, p), draws)).ToArray(), 0);
        var moved = together.sub(apart).abs().max().item<float>();
        TestContext.Out.WriteLine($"RAFT flow of one batch of {samples} against {Processes} batches of {BatchPerProcess}: max |diff| = {moved:E3} px");
        Assert.That(moved, Is.GreaterThan(1e-3), "RAFT's batch statistics make one big batch differ from several process batches");
    }

    private static Tensor Flow(TrainingStep step, Tensor gt, Tensor lq, ITrainingDraws draws)
    {
        using var recorded = new TrainingStepIntermediates();
        step.Prepare(gt, lq, draws, recorded);
        return recorded["flow"].clone();
    }

    private static Tensor ProcessSlice(Tensor batch, int process) => batch[(process * BatchPerProcess)..((process + 1) * BatchPerProcess)];

    private static void Zero(TinyTrainingNetworks tiny)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (_, parameter) in tiny.Parameters)
        {
            parameter.grad!.zero_();
        }
    }
}
