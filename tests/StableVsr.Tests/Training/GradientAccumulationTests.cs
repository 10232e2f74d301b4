using StableVsr.Tests.Support;
using StableVsr.Training;
using StableVsr.Training.Randomness;
using StableVsr.Training.Steps;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Training;

/// <summary>Gradient accumulation as accelerate does it: each loss divided by the step count, gradients summed, synced at epoch ends.</summary>
[NonParallelizable]
public sealed class GradientAccumulationTests
{
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
    public void TwoAccumulatedBatchesGiveTheMeanOfTheirGradients()
    {
        using var scope = torch.NewDisposeScope();
        using var fixture = SafetensorsFile.Open(Fixtures.Case("train_step.safetensors"));
        using var tiny = new TinyTrainingNetworks(fixture.Load("prompt_embeds"));
        var step = new TrainingStep(tiny.Networks with { RaftIterations = 2 });
        var randomness = new SeededTrainingRandomness(5);
        var (gt, lq) = (fixture.Load("gt"), fixture.Load("lq"));
        var batches = new[] { (gt[..1], lq[..1]), (gt[1..], lq[1..]) };
        var alone = new List<torch.Tensor[]>();
        for (var i = 0; i < 2; i++)
        {
            step.Run(batches[i].Item1, batches[i].Item2, randomness.ForBatch(i));
            alone.Add(tiny.Parameters.Select(p => p.Parameter.grad!.clone()).ToArray());
            Zero(tiny);
        }

        for (var i = 0; i < 2; i++)
        {
            step.Run(batches[i].Item1, batches[i].Item2, randomness.ForBatch(i), accumulationSteps: 2);
        }

        var worst = tiny.Parameters.Select((p, k) => (p.Parameter.grad! - ((alone[0][k] + alone[1][k]) / 2)).abs().max().item<float>()).Max();
        TestContext.Out.WriteLine($"accumulated against the mean of separate gradients: max |diff| = {worst:E3}");
        Assert.That(worst, Is.LessThanOrEqualTo(1e-9));
    }

    private static void Zero(TinyTrainingNetworks tiny)
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, parameter) in tiny.Parameters)
        {
            parameter.grad!.zero_();
        }
    }
}
