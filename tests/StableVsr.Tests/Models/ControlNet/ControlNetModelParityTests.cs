using System.Globalization;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Models.ControlNet;

[Category("Parity")]
[Category("GcStress")]
public class ControlNetModelParityTests
{
    [Test]
    public void ResidualsAndTheUNetOutputWithThemMatchTheReference()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var reference = ReferenceCase.Open("controlnet_forward");
        using var controlnet = TestDevice.Place(ControlNetModel.FromPretrained(Fixtures.Path("tiny-stablevsr", "controlnet")));
        using var unet = TestDevice.Place(UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-stablevsr", "unet")));
        var sample = reference.Tensor("sample");
        var timestep = reference.Tensor("timestep");
        var text = reference.Tensor("encoder_hidden_states");
        var numDown = int.Parse(reference.Metadata["num_down"], CultureInfo.InvariantCulture);

        using var residuals = controlnet.forward(new ControlNetInput(sample, timestep, text, reference.Tensor("controlnet_cond")));

        Assert.That(residuals.DownResiduals, Has.Count.EqualTo(numDown));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < numDown; i++)
            {
                ReferenceCase.AssertClose(residuals.DownResiduals[i], reference.Tensor($"down_{i}"), $"controlnet_forward down_{i}");
            }

            ReferenceCase.AssertClose(residuals.MidResidual, reference.Tensor("mid"), "controlnet_forward mid");
        });

        var output = unet.forward(new UNetInput(sample, timestep, text, DownResiduals: residuals.DownResiduals, MidResidual: residuals.MidResidual));
        ReferenceCase.AssertClose(output, reference.Tensor("unet_out"), "controlnet_forward unet_out");
    }
}
