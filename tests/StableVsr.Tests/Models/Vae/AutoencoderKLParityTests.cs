using StableVsr.Models.Vae;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Models.Vae;

[Category("Parity")]
[Category("GcStress")]
public class AutoencoderKLParityTests
{
    [Test]
    public void EncoderDistributionAndDecoderMatchTheReference()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var reference = ReferenceCase.Open("vae");
        using var vae = TestDevice.Place(AutoencoderKL.FromPretrained(Fixtures.Path("tiny-stablevsr", "vae")));

        using var posterior = vae.Encode(reference.Tensor("image"));
        var decoded = vae.Decode(reference.Tensor("latent"));

        Assert.Multiple(() =>
        {
            ReferenceCase.AssertClose(posterior.Mean, reference.Tensor("mean"), "vae mean");
            ReferenceCase.AssertClose(posterior.LogVar, reference.Tensor("logvar"), "vae logvar");
            ReferenceCase.AssertClose(decoded, reference.Tensor("decoded"), "vae decoded");
        });
    }
}
