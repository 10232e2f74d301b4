using StableVsr.Models.Unet;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Models.Unet;

[Category("Parity")]
[Category("GcStress")]
public class UNet2DConditionModelParityTests
{
    [Test]
    public void MatchesTheReferenceForward()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var reference = ReferenceCase.Open("unet_forward");
        using var unet = TestDevice.Place(UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-stablevsr", "unet")));

        var output = unet.forward(new UNetInput(reference.Tensor("sample"), reference.Tensor("timestep"), reference.Tensor("encoder_hidden_states")));

        ReferenceCase.AssertClose(output, reference.Tensor("out"), "unet_forward out");
    }

    [Test]
    public void MatchesTheReferenceForwardWithNoiseLevelClassLabels()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var reference = ReferenceCase.Open("unet_noise_level_forward");
        using var unet = TestDevice.Place(UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-unet-noise-level")));
        Assert.That(unet.Config.NumClassEmbeds, Is.Not.Null, "the noise-level UNet has a class embedding");

        var output = unet.forward(new UNetInput(
            reference.Tensor("sample"),
            reference.Tensor("timestep"),
            reference.Tensor("encoder_hidden_states"),
            ClassLabels: reference.Tensor("class_labels")));

        ReferenceCase.AssertClose(output, reference.Tensor("out"), "unet_noise_level_forward out");
    }
}
