using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Models.ControlNet;

/// <summary>Gradient checkpointing of the ControlNet's down blocks changes memory, not gradients.</summary>
public sealed class ControlNetGradientCheckpointingTests
{
    [Test]
    public void GradientsAreTheSameWithAndWithoutCheckpointing()
    {
        using var scope = torch.NewDisposeScope();
        using var unet = UNet2DConditionModel.FromPretrained(Path.Combine(TinyPipeline.ModelFolder, "unet"));
        using var controlNet = ControlNetModel.FromPretrained(Path.Combine(TinyPipeline.ModelFolder, "controlnet"));
        var parameters = controlNet.named_parameters().ToList();
        foreach (var (_, parameter) in parameters)
        {
            parameter.requires_grad = true;
        }

        torch.random.manual_seed(3);
        var (sample, timestep, text, cond) = (torch.randn(2, 7, 16, 16), torch.tensor(new long[] { 10, 700 }), torch.randn(2, 77, 32), torch.randn(2, 3, 64, 64));
        var gradients = new List<Dictionary<string, torch.Tensor>>();
        foreach (var checkpointing in new[] { false, true })
        {
            controlNet.GradientCheckpointing = checkpointing;
            using var residuals = controlNet.forward(new ControlNetInput(sample, timestep, text, cond));
            var output = unet.forward(new UNetInput(sample, timestep, text, DownResiduals: residuals.DownResiduals, MidResidual: residuals.MidResidual));
            output.mul(output).mean().backward();
            gradients.Add(parameters.ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
            foreach (var (_, parameter) in parameters)
            {
                parameter.grad!.zero_();
            }
        }

        var worst = parameters.Max(p => (gradients[0][p.name] - gradients[1][p.name]).abs().max().item<float>());
        TestContext.Out.WriteLine($"{parameters.Count} gradients, max |diff| with checkpointing = {worst:E3}");
        Assert.That(gradients[1].Values.All(g => g.abs().sum().item<float>() > 0), Is.True, "every parameter gets a gradient through the checkpoints");
        Assert.That(worst, Is.LessThanOrEqualTo(1e-7));
    }
}
