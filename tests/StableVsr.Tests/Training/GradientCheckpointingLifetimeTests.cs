using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Tests.Training;

/// <summary>
/// Gradient checkpointing is a custom autograd function: libtorch calls back into managed code during the backward pass
/// and reads the gradients the callback hands back as raw tensor handles. Nothing but native code refers to those
/// managed tensors once the callback has returned, so without a dispose scope around the backward pass a collection
/// can finalize them (and free the tensors) before libtorch has read them. Here the backward runs with no dispose scope
/// while a <see cref="GcStorm"/> collects: every round must give the gradients of the plain, uncheckpointed backward.
/// </summary>
[NonParallelizable]
[Category("GcStress")]
public sealed class GradientCheckpointingLifetimeTests
{
    private const int Rounds = 3;

    [Test]
    public void CheckpointedBackwardWithoutADisposeScopeSurvivesACollectorStorm()
    {
        using var unet = UNet2DConditionModel.FromPretrained(Path.Combine(TinyPipeline.ModelFolder, "unet"));
        using var controlNet = ControlNetModel.FromPretrained(Path.Combine(TinyPipeline.ModelFolder, "controlnet"));
        var parameters = controlNet.parameters().ToList();
        foreach (var parameter in parameters)
        {
            parameter.requires_grad = true;
        }

        using var generator = new Generator(3, CPU);
        using var sample = randn([2, 7, 16, 16], generator: generator);
        using var timestep = tensor(new long[] { 10, 700 });
        using var text = randn([2, 77, 32], generator: generator);
        using var cond = randn([2, 3, 64, 64], generator: generator);
        var expected = Gradients(unet, controlNet, parameters, sample, timestep, text, cond, checkpointing: false);

        using var storm = GcStorm.Start();
        var worst = 0.0;
        for (var round = 0; round < Rounds; round++)
        {
            var actual = Gradients(unet, controlNet, parameters, sample, timestep, text, cond, checkpointing: true);
            worst = Math.Max(worst, actual.Select((g, i) => MaxAbsDifference(g, expected[i])).Max());
            actual.ForEach(g => g.Dispose());
        }

        TestContext.Out.WriteLine($"{Rounds} checkpointed backward passes under {storm.Collections} collections: max |diff| to the plain backward = {worst:E3}");
        Assert.That(storm.Collections, Is.GreaterThan(Rounds), "the storm must collect during the rounds to prove anything");
        Assert.That(worst, Is.LessThanOrEqualTo(1e-7));
    }

    // Forward and backward outside any dispose scope (as a host's own training loop may run it); the gradients, copied.
    private static List<Tensor> Gradients(UNet2DConditionModel unet, ControlNetModel controlNet, List<TorchSharp.Modules.Parameter> parameters, Tensor sample, Tensor timestep, Tensor text, Tensor cond, bool checkpointing)
    {
        controlNet.GradientCheckpointing = checkpointing;
        using (var residuals = controlNet.forward(new ControlNetInput(sample, timestep, text, cond)))
        using (var output = unet.forward(new UNetInput(sample, timestep, text, DownResiduals: residuals.DownResiduals, MidResidual: residuals.MidResidual)))
        using (var squared = output.mul(output))
        using (var loss = squared.mean())
        {
            loss.backward();
        }

        var gradients = new List<Tensor>(parameters.Count);
        using var noGrad = no_grad();
        foreach (var parameter in parameters)
        {
            using var grad = parameter.grad!;
            gradients.Add(grad.clone());
            grad.zero_().Dispose();
        }

        return gradients;
    }

    private static double MaxAbsDifference(Tensor actual, Tensor expected)
    {
        using var difference = actual.sub(expected);
        using var magnitude = difference.abs();
        using var max = magnitude.max();
        return max.item<float>();
    }
}
