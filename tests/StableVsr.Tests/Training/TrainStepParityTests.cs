using StableVsr.Tensors;
using StableVsr.Tests.Support;
using StableVsr.Training.Optimization;
using StableVsr.Training.Steps;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Training;

/// <summary>
/// Two training steps against every <c>cases/train_step*.safetensors</c>: train.py's inner loop run verbatim on the tiny
/// model (AdamW, constant learning rate, clipping as the file says). Every setting (batch, crop sizes, learning rate,
/// AdamW's betas, eps and weight decay, the clipping norm, the prediction type, accumulation) comes from the file's
/// metadata. The step takes the recorded draws, so every intermediate, the loss, each ControlNet gradient, the gradient
/// norm and every parameter after each optimizer step must match within the fixture README's tolerances.
/// </summary>
[Category("Parity")]
[Category("GcStress")]
[Parallelizable(ParallelScope.Self)]
[TestFixtureSource(typeof(TrainStepCase), nameof(TrainStepCase.Files))]
public sealed class TrainStepParityTests
{
    private const double LossRelativeTolerance = 1e-5;
    private const double GradientTolerance = 1e-6;
    private const double GradNormRelativeTolerance = 1e-5;
    private const double ParameterTolerance = 2e-4;
    private const double ParameterOutlierThreshold = 1e-5;
    private const double ParameterOutlierFraction = 1e-4;

    private readonly string file;
    private readonly Dictionary<string, double> measured = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double MaxDiff, long Beyond, long Total)> parameters = new(StringComparer.Ordinal);
    private TrainStepCase settings = null!;
    private List<string> requests = [];
    private List<string> parameterNames = [];
    private List<string> zeroGradients = [];

    public TrainStepParityTests(string file) => this.file = file;

    [OneTimeSetUp]
    public void RunTwoSteps()
    {
        using var scope = torch.NewDisposeScope();
        using var fixture = SafetensorsFile.Open(Fixtures.Case(file));
        settings = TrainStepCase.Read(file, fixture);
        using var tiny = new TinyTrainingNetworks(fixture.Load("prompt_embeds"), settings.Scheduler);
        parameterNames = [.. tiny.Parameters.Select(p => p.Name)];
        var step = new TrainingStep(tiny.Networks);
        using var optimizer = new AdamW(tiny.Parameters, settings.Beta1, settings.Beta2, settings.WeightDecay, settings.Epsilon);
        var draws = new FixtureTrainingDraws(fixture);
        var (gt, lq) = (fixture.Load("gt"), fixture.Load("lq"));

        var firstStep = step.Run(gt, lq, draws.ForBatch(0), settings.AccumulationSteps, keepIntermediates: true);
        using (var first = firstStep.Intermediates!)
        {
            requests = [.. draws.Requests];
            foreach (var name in new[] { "latents", "latents_prev", "noisy_latents", "noisy_latents_prev", "model_pred_prev", "approximated_x0_latent_prev",
                "approximated_x0_rgb_prev", "flow", "controlnet_cond", "mid_block_res_sample", "model_pred", "target" })
            {
                measured[name] = MaxAbs(first[name], fixture.Load(name));
            }
        }

        measured["loss"] = Relative(firstStep.Loss, fixture.Load("loss").item<float>());
        CompareGradients(tiny, fixture);
        measured["grad_norm"] = Relative(GradientClipping.ClipByTotalNorm(tiny.Parameters.Select(p => p.Parameter), settings.MaxGradNorm), fixture.Load("grad_norm").item<float>());
        optimizer.Step(settings.LearningRate);
        optimizer.ZeroGrad();
        parameters["param_after_1"] = CompareParameters(tiny, fixture, "param_after_1");

        draws.Requests.Clear();
        var secondStep = step.Run(gt, lq, draws.ForBatch(1), settings.AccumulationSteps, keepIntermediates: true);
        using (var second = secondStep.Intermediates!)
        {
            measured["controlnet_cond_2"] = MaxAbs(second["controlnet_cond"], fixture.Load("controlnet_cond_2"));
            measured["model_pred_2"] = MaxAbs(second["model_pred"], fixture.Load("model_pred_2"));
            measured["target_2"] = MaxAbs(second["target"], fixture.Load("target_2"));
        }

        measured["loss_2"] = Relative(secondStep.Loss, fixture.Load("loss_2").item<float>());
        measured["grad_norm_2"] = Relative(GradientClipping.ClipByTotalNorm(tiny.Parameters.Select(p => p.Parameter), settings.MaxGradNorm), fixture.Load("grad_norm_2").item<float>());
        optimizer.Step(settings.LearningRate);
        optimizer.ZeroGrad();
        parameters["param_after_2"] = CompareParameters(tiny, fixture, "param_after_2");
    }

    [Test]
    public void TakesTheDrawsInTrainPyOrder() =>
        Assert.That(requests, Is.EqualTo(new[] { "random_u", "vae_noise", "vae_noise_prev", "noise", "timesteps", "noise_prev" }));

    [TestCase("loss")]
    [TestCase("loss_2")]
    public void LossMatches(string key) => Check(key, LossRelativeTolerance, "relative");

    [TestCase("grad_norm")]
    [TestCase("grad_norm_2")]
    public void GradientNormMatches(string key) => Check(key, GradNormRelativeTolerance, "relative");

    [Test]
    public void EveryControlNetGradientMatches()
    {
        Assert.That(parameterNames, Is.EquivalentTo(settings.GradientNames), "the file records a gradient for exactly the ControlNet's parameters");
        Assert.That(zeroGradients, Is.Empty, "every ControlNet parameter gets a non-zero gradient");
        Check("gradients", GradientTolerance, "max |diff|");
    }

    [TestCase("param_after_1")]
    [TestCase("param_after_2")]
    public void ParametersAfterEachOptimizerStepMatch(string key)
    {
        var (maxDiff, beyond, total) = parameters[key];
        TestContext.Out.WriteLine($"{file} {key}: max |diff| = {maxDiff:E3}, {beyond} of {total} elements beyond {ParameterOutlierThreshold:E0}");
        Assert.That(maxDiff, Is.LessThanOrEqualTo(ParameterTolerance));
        Assert.That(beyond, Is.LessThanOrEqualTo((long)(total * ParameterOutlierFraction)));
    }

    [Test]
    public void TheBatchHasTheRecordedShape()
    {
        using var fixture = SafetensorsFile.Open(Fixtures.Case(file));
        var gt = fixture.Tensors.Single(t => t.Name == "gt").Shape;
        var lq = fixture.Tensors.Single(t => t.Name == "lq").Shape;
        Assert.That(gt, Is.EqualTo(new long[] { settings.Batch, settings.Frames, 3, settings.GtSize.Height, settings.GtSize.Width }));
        Assert.That(lq, Is.EqualTo(new long[] { settings.Batch, settings.Frames, 3, settings.LqSize.Height, settings.LqSize.Width }));
    }

    [TestCase("latents", 1e-4)]
    [TestCase("latents_prev", 1e-4)]
    [TestCase("noisy_latents", 1e-4)]
    [TestCase("noisy_latents_prev", 1e-4)]
    [TestCase("model_pred_prev", 1e-4)]
    [TestCase("approximated_x0_latent_prev", 1e-4)]
    [TestCase("approximated_x0_rgb_prev", 1e-4)]
    [TestCase("flow", 1e-3)]
    [TestCase("controlnet_cond", 5e-3)]
    [TestCase("controlnet_cond_2", 5e-3)]
    [TestCase("mid_block_res_sample", 1e-4)]
    [TestCase("model_pred", 1e-5)]
    [TestCase("model_pred_2", 1e-5)]
    [TestCase("target", 1e-5)]
    [TestCase("target_2", 1e-5)]
    public void IntermediateMatches(string key, double tolerance) => Check(key, tolerance, "max |diff|");

    private void Check(string key, double tolerance, string what)
    {
        var value = measured[key];
        TestContext.Out.WriteLine($"{file} {key}: {what} = {value:E3} (tolerance {tolerance:E1})");
        Assert.That(value, Is.LessThanOrEqualTo(tolerance), key);
    }

    private void CompareGradients(TinyTrainingNetworks tiny, SafetensorsFile fixture)
    {
        using var scope = torch.NewDisposeScope();
        var worst = 0.0;
        foreach (var (name, parameter) in tiny.Parameters)
        {
            var grad = parameter.grad;
            Assert.That(grad, Is.Not.Null, $"'{name}' has no gradient");
            if (!fixture.Keys.Contains(TrainStepCase.GradientPrefix + name))
            {
                continue;
            }

            worst = Math.Max(worst, MaxAbs(grad!, fixture.Load(TrainStepCase.GradientPrefix + name)));
            if (grad!.abs().max().item<float>() == 0f)
            {
                zeroGradients.Add(name);
            }
        }

        measured["gradients"] = worst;
    }

    private static (double MaxDiff, long Beyond, long Total) CompareParameters(TinyTrainingNetworks tiny, SafetensorsFile fixture, string prefix)
    {
        using var scope = torch.NewDisposeScope();
        var (worst, beyond, total) = (0.0, 0L, 0L);
        foreach (var (name, parameter) in tiny.Parameters)
        {
            var diff = parameter.detach().to(torch.float64).sub(fixture.Load($"{prefix}.{name}").to(torch.float64)).abs();
            worst = Math.Max(worst, diff.max().item<double>());
            beyond += diff.gt(ScalarCache.Of(ParameterOutlierThreshold)).sum().item<long>();
            total += parameter.numel();
        }

        return (worst, beyond, total);
    }

    private static double MaxAbs(torch.Tensor actual, torch.Tensor expected)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape));
        using var diff = actual.to(torch.float64).sub(expected.to(torch.float64)).abs().max();
        return diff.item<double>();
    }

    private static double Relative(double actual, double expected) => Math.Abs(actual - expected) / Math.Abs(expected);
}
