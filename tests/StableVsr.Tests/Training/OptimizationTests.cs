using StableVsr.Tensors;
using StableVsr.Training;
using StableVsr.Training.Optimization;
using TorchSharp;

namespace StableVsr.Tests.Training;

/// <summary>diffusers' learning-rate schedules, torch 1.13's gradient clipping and AdamW.</summary>
public sealed class OptimizationTests
{
    // Values of diffusers' lr_lambda for warmup 10 and 100 training steps, worked out by hand from optimization.py.
    [TestCase(LearningRateSchedule.Constant, 0, 1.0)]
    [TestCase(LearningRateSchedule.Constant, 5, 1.0)]
    [TestCase(LearningRateSchedule.ConstantWithWarmup, 0, 0.0)]
    [TestCase(LearningRateSchedule.ConstantWithWarmup, 5, 0.5)]
    [TestCase(LearningRateSchedule.ConstantWithWarmup, 500, 1.0)]
    [TestCase(LearningRateSchedule.Linear, 5, 0.5)]
    [TestCase(LearningRateSchedule.Linear, 10, 1.0)]
    [TestCase(LearningRateSchedule.Linear, 55, 0.5)]
    [TestCase(LearningRateSchedule.Linear, 100, 0.0)]
    [TestCase(LearningRateSchedule.Linear, 120, 0.0)]
    [TestCase(LearningRateSchedule.Cosine, 10, 1.0)]
    [TestCase(LearningRateSchedule.Cosine, 55, 0.5)]
    [TestCase(LearningRateSchedule.Cosine, 100, 0.0)]
    [TestCase(LearningRateSchedule.CosineWithRestarts, 28, 0.6545084971874737)]
    [TestCase(LearningRateSchedule.CosineWithRestarts, 55, 1.0)]
    [TestCase(LearningRateSchedule.CosineWithRestarts, 100, 0.0)]
    [TestCase(LearningRateSchedule.Polynomial, 10, 1.0)]
    [TestCase(LearningRateSchedule.Polynomial, 55, 0.25 + (0.75 * 1e-6))]
    [TestCase(LearningRateSchedule.Polynomial, 101, 1e-6)]
    public void SchedulesFollowDiffusers(LearningRateSchedule kind, long step, double expected)
    {
        // Base 0.1; polynomial with power 2: ((0.1 - 1e-7) * 0.5^2 + 1e-7) / 0.1 at the midpoint; cosine_with_restarts with 2
        // cycles: step 28 is progress 0.2, 0.5 * (1 + cos(pi * 0.4)).
        var scheduler = new LearningRateScheduler(kind, 0.1, warmupSteps: 10, trainingSteps: 100, cycles: 2, power: 2);

        Assert.That(scheduler.Factor(step), Is.EqualTo(expected).Within(1e-12));
        Assert.That(scheduler.RateAt(step), Is.EqualTo(0.1 * expected).Within(1e-13));
    }

    [Test]
    public void ClippingScalesByMaxNormOverTotalNormPlusEpsilon()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros(3, requires_grad: true);
        var b = torch.zeros(2, 2, requires_grad: true);
        a.sum().Times(3).Plus(b.mul(torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2)).sum()).backward();
        var total = Math.Sqrt((3 * 9) + 1 + 4 + 9 + 16);

        var norm = GradientClipping.ClipByTotalNorm([a, b], maxNorm: 1.0);

        Assert.That(norm, Is.EqualTo(total).Within(1e-5));
        var scale = 1.0 / (total + 1e-6);
        Assert.That(a.grad!.data<float>().ToArray(), Is.EqualTo(Enumerable.Repeat(3 * scale, 3)).Within(1e-6));
        Assert.That(b.grad!.flatten().data<float>().ToArray(), Is.EqualTo(new[] { scale, 2 * scale, 3 * scale, 4 * scale }).Within(1e-6));
        Assert.That(GradientClipping.ClipByTotalNorm([a, b], maxNorm: 10.0), Is.EqualTo(1.0).Within(1e-5), "below the maximum nothing changes");
    }

    [Test]
    public void AdamWMatchesTorchSharpsAdamW()
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(11);
        var ours = torch.randn(64, 33).requires_grad_(true);
        var theirs = new TorchSharp.Modules.Parameter(ours.detach().clone());
        using var adam = new AdamW([("w", ours)], 0.9, 0.999, 1e-2, 1e-8);
        var reference = torch.optim.AdamW([theirs], lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1e-2);
        var worst = 0.0;

        for (var step = 0; step < 5; step++)
        {
            var target = torch.randn(64, 33);
            using var weight = (step + 1).ToScalar();
            var (oursError, theirsError) = (ours.sub(target), theirs.sub(target));
            oursError.mul(oursError).sum().mul(weight).backward();
            theirsError.mul(theirsError).sum().mul(weight).backward();
            adam.Step(1e-3);
            adam.ZeroGrad();
            // The reference: TorchSharp's optimizer builds its Scalars inside and has no overload that takes held ones.
#pragma warning disable SVSR001
            reference.step();
#pragma warning restore SVSR001
            reference.zero_grad();
            worst = Math.Max(worst, (ours - theirs).abs().max().item<float>());
        }

        TestContext.Out.WriteLine($"5 AdamW steps against torch.optim.AdamW: max |diff| = {worst:E3}");
        Assert.That(worst, Is.LessThanOrEqualTo(1e-7));
        Assert.That(adam.StepCount, Is.EqualTo(5));
    }

    [Test]
    public void AdamWContinuesExactlyFromItsSavedState()
    {
        using var scope = torch.NewDisposeScope();
        var first = torch.linspace(-1, 1, 8).requires_grad_(true);
        var second = first.detach().clone().requires_grad_(true);
        using var straight = new AdamW([("w", first)], 0.9, 0.999, 1e-2, 1e-8);
        using var resumed = new AdamW([("w", second)], 0.9, 0.999, 1e-2, 1e-8);
        first.mul(first).mul(TensorArithmetic.Arange(8)).sum().backward();
        straight.Step(0.1);
        straight.ZeroGrad();
        var saved = straight.StateTensors().ToDictionary(p => p.Key, p => p.Value.clone());
        using (torch.no_grad())
        {
            second.copy_(first);
        }

        resumed.Restore(straight.StepCount, key => saved.TryGetValue(key, out var t) ? t.clone() : null, "saved");
        foreach (var (parameter, optimizer) in new[] { (first, straight), (second, resumed) })
        {
            parameter.mul(parameter).mul(TensorArithmetic.Arange(8)).sum().backward();
            optimizer.Step(0.1);
        }

        Assert.That(saved.Keys, Is.EquivalentTo(new[] { "exp_avg.w", "exp_avg_sq.w" }));
        Assert.That(resumed.StepCount, Is.EqualTo(2));
        Assert.That(second.eq(first).all().item<bool>(), Is.True, "the second step after a restore equals the uninterrupted one");
        Assert.Throws<ModelLoadException>(() => resumed.Restore(1, _ => null, "empty"), "state saved for another ControlNet");
    }
}
