using StableVsr.Tensors;
using StableVsr.Training.Steps;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Tests.Training;

/// <summary>
/// The training step's gradients without a fixture: the tiny networks run in float64 on fixed random inputs of the
/// differentiable part (noisy latents beside the LR frame, timesteps, the warped neighbour RAFT's flow would give, the
/// target), and autograd's gradient of <see cref="TrainingStep.Loss"/> is checked against central finite differences of
/// the loss itself, at square and non-square crops, batch 1 and 3. A second check holds those inputs (so the flows)
/// fixed and asks that the batch's gradient be the mean of the single-sample gradients, as train.py's loss (a mean over
/// the whole batch) implies: a step that mixes samples or swaps a height for a width fails it. LR crops are 16x16 and
/// 16x24 (64x64 and 64x96 ground truth) so that each case takes seconds. The GC-stress pass (category GcStress, see
/// docs/testing.md) runs one case of each check, batch 3 at the non-square crop (the one a batch or height/width mix-up
/// fails), since every case is about 10x slower under the storm.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class TrainingGradientCheckTests
{
    private const long Seed = 20;
    private const double Step = 1e-5;
    private const int SampledTensors = 3;

    // Central differences of a loss near 0.1 in float64 carry ~1e-11 of rounding; relative 1e-6 on top of that.
    private const double RelativeTolerance = 1e-6;
    private const double AbsoluteTolerance = 5e-11;

    private TinyTrainingNetworks tiny = null!;
    private TrainingStep step = null!;

    [OneTimeSetUp]
    public void LoadFloat64Networks()
    {
        using var generator = new Generator((ulong)Seed, CPU);
        tiny = new TinyTrainingNetworks(randn([1, 77, 32], ScalarType.Float64, generator: generator), dtype: ScalarType.Float64);
        step = new TrainingStep(tiny.Networks with { RaftIterations = 2 });
    }

    [OneTimeTearDown]
    public void DisposeNetworks() => tiny.Dispose();

    [TestCase(1, 16, 16)]
    [TestCase(3, 16, 16)]
    [TestCase(1, 16, 24)]
    [TestCase(3, 16, 24, Category = "GcStress")]
    public void LossGradientMatchesFiniteDifferences(int batch, int height, int width)
    {
        using var scope = NewDisposeScope();
        var inputs = Inputs(batch, height, width);
        ZeroGradients();
        step.Loss(inputs).backward();

        // Every parameter at once along a random direction, then single elements of tensors spread over the network
        // (each at its largest gradient, so that the relative error is meaningful).
        using var generator = new Generator((ulong)(Seed + batch + width), CPU);
        var direction = tiny.Parameters.Select(p => randn(p.Parameter.shape, ScalarType.Float64, generator: generator)).ToList();
        using var norm = Math.Sqrt(direction.Sum(d => d.mul(d).sum().item<double>())).ToScalar();
        direction = [.. direction.Select(d => d.div(norm))];
        var analytic = tiny.Parameters.Select((p, i) => p.Parameter.grad!.mul(direction[i]).sum().item<double>()).Sum();
        Check("random direction over every parameter", analytic, Derivative(inputs, direction));

        var count = tiny.Parameters.Count;
        for (var k = 0; k < SampledTensors; k++)
        {
            var (name, parameter) = tiny.Parameters[k * (count - 1) / (SampledTensors - 1)];
            var index = parameter.grad!.abs().argmax().item<long>();
            var unit = tiny.Parameters.Select(p => ReferenceEquals(p.Parameter, parameter) ? OneHot(parameter, index) : zeros_like(p.Parameter)).ToList();
            Check($"{name}[{index}]", parameter.grad!.flatten()[index].item<double>(), Derivative(inputs, unit));
        }
    }

    [TestCase(16, 16)]
    [TestCase(16, 24, Category = "GcStress")]
    public void BatchGradientIsTheMeanOfTheSampleGradientsWithTheFlowsHeldFixed(int height, int width)
    {
        const int Batch = 3;
        using var scope = NewDisposeScope();
        var inputs = Inputs(Batch, height, width);
        ZeroGradients();
        step.Loss(inputs).backward();
        var together = tiny.Parameters.Select(p => p.Parameter.grad!.clone()).ToList();

        ZeroGradients();
        for (var i = 0; i < Batch; i++)
        {
            var one = new TrainingStepInputs(inputs.NoisyInput[i..(i + 1)], inputs.Timesteps[i..(i + 1)], inputs.Condition[i..(i + 1)], inputs.Target[i..(i + 1)]);
            step.Loss(one).DividedBy(Batch).backward();
        }

        var scale = together.Max(g => g.abs().max().item<double>());
        var worst = tiny.Parameters.Select((p, i) => p.Parameter.grad!.sub(together[i]).abs().max().item<double>()).Max();
        TestContext.Out.WriteLine($"batch {Batch} at {height}x{width}: max |batch gradient - mean of sample gradients| = {worst:E3} (largest gradient {scale:E3})");
        Assert.That(scale, Is.GreaterThan(0), "the ControlNet gets a gradient");
        Assert.That(worst, Is.LessThanOrEqualTo(1e-10 * scale));
    }

    // Random inputs of the differentiable part at LR size height x width, shaped from the networks' configs.
    private TrainingStepInputs Inputs(int batch, int height, int width)
    {
        using var generator = new Generator((ulong)(Seed + (batch * 1000) + width), CPU);
        var factor = tiny.ControlNet.ConditioningScaleFactor;
        var unet = tiny.Unet.Config;
        return new TrainingStepInputs(
            randn([batch, unet.InChannels, height, width], ScalarType.Float64, generator: generator),
            randint(0, tiny.Networks.Diffusion.TrainTimesteps, [batch], ScalarType.Int64, generator: generator),
            rand([batch, tiny.ControlNet.Config.ConditioningChannels, height * factor, width * factor], ScalarType.Float64, generator: generator).Times(2).Minus(1),
            randn([batch, unet.OutChannels, height, width], ScalarType.Float64, generator: generator));
    }

    // Central difference of the loss along a direction given per parameter.
    private double Derivative(TrainingStepInputs inputs, IReadOnlyList<Tensor> direction)
    {
        using var noGrad = no_grad();
        var losses = new double[2];
        for (var side = 0; side < 2; side++)
        {
            var sign = side == 0 ? Step : -Step;
            Shift(direction, sign);
            using var scope = NewDisposeScope();
            losses[side] = step.Loss(inputs).item<double>();
            Shift(direction, -sign);
        }

        return (losses[0] - losses[1]) / (2 * Step);
    }

    private void Shift(IReadOnlyList<Tensor> direction, double amount)
    {
        using var scope = NewDisposeScope();
        using var scalar = amount.ToScalar();
        for (var i = 0; i < direction.Count; i++)
        {
            tiny.Parameters[i].Parameter.add_(direction[i], scalar);
        }
    }

    private void ZeroGradients()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (_, parameter) in tiny.Parameters)
        {
            parameter.grad?.zero_();
        }
    }

    private static Tensor OneHot(Tensor parameter, long index)
    {
        var unit = zeros(parameter.numel(), ScalarType.Float64);
        unit[index] = tensor(1.0);
        return unit.view(parameter.shape);
    }

    private static void Check(string what, double analytic, double numeric)
    {
        var error = Math.Abs(analytic - numeric);
        var scale = Math.Max(Math.Abs(analytic), Math.Abs(numeric));
        TestContext.Out.WriteLine($"{what}: autograd {analytic:E6}, finite difference {numeric:E6}, relative error {error / scale:E2}");
        Assert.That(scale, Is.GreaterThan(0), $"{what}: the loss depends on it");
        Assert.That(error, Is.LessThanOrEqualTo((RelativeTolerance * scale) + AbsoluteTolerance), what);
    }
}
