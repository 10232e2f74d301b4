using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Models;

/// <summary>
/// Repeated forward passes must leave nothing behind: the number of live tensors created on the test thread
/// comes back to where it was, and the process's resident memory does not grow with the number of passes.
/// </summary>
public class RepeatedForwardMemoryTests
{
    private const int Passes = 10;

    // Far below what leaking one pass's activations per pass would add (tens of MB over the passes), far above allocator noise.
    private const long RssGrowthLimitBytes = 48L * 1024 * 1024;

    [Test]
    public void UNetWithControlNetResidualsLeavesNothingBehind()
    {
        using var noGrad = torch.no_grad();
        using var unet = UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-stablevsr", "unet"));
        using var controlnet = ControlNetModel.FromPretrained(Fixtures.Path("tiny-stablevsr", "controlnet"));
        using var sample = torch.randn(2, 7, 16, 24);
        using var timestep = torch.tensor(new long[] { 10, 900 });
        using var text = torch.randn(2, 77, 32);
        using var cond = torch.randn(2, 3, 64, 96);

        AssertNoGrowth("unet + controlnet", () =>
        {
            using var residuals = controlnet.forward(new ControlNetInput(sample, timestep, text, cond));
            using var output = unet.forward(new UNetInput(sample, timestep, text, DownResiduals: residuals.DownResiduals, MidResidual: residuals.MidResidual));
        });
    }

    [Test]
    public void VaeEncodeAndDecodeLeaveNothingBehind()
    {
        using var noGrad = torch.no_grad();
        using var vae = AutoencoderKL.FromPretrained(Fixtures.Path("tiny-stablevsr", "vae"));
        using var image = torch.rand(1, 3, 64, 96);
        using var generator = new torch.Generator(7);

        AssertNoGrowth("vae", () =>
        {
            using var posterior = vae.Encode(image);
            using var latent = posterior.Sample(generator);
            using var decoded = vae.Decode(latent);
        });
    }

    private static void AssertNoGrowth(string what, Action pass)
    {
        pass();
        pass();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var rssBefore = Environment.WorkingSet;
        for (var i = 0; i < Passes; i++)
        {
            pass();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var rssAfter = Environment.WorkingSet;
        TestContext.Out.WriteLine($"{what}: live tensors {liveBefore} -> {liveAfter}, RSS {rssBefore / 1048576.0:F1} MB -> {rssAfter / 1048576.0:F1} MB over {Passes} passes");
        Assert.Multiple(() =>
        {
            Assert.That(liveAfter, Is.EqualTo(liveBefore), "tensors left alive by the forward passes");
            Assert.That(rssAfter - rssBefore, Is.LessThan(RssGrowthLimitBytes), "resident memory growth");
        });
    }
}
