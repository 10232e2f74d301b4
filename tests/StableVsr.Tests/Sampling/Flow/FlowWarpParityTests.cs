using StableVsr.Sampling.Flow;
using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Flow;

/// <summary>FlowWarp against StableVSR's <c>flow_warp</c> (fixture <c>cases/flow_warp.safetensors</c>).</summary>
[Category("Parity")]
[Category("GcStress")]
public class FlowWarpParityTests
{
    private const double Tolerance = 1e-4;

    // Each expected tensor of the fixture is named after the grid_sample mode that made it.
    [TestCase("bilinear", GridSampleMode.Bilinear)]
    [TestCase("nearest", GridSampleMode.Nearest)]
    public void WarpMatchesReference(string expectedKey, GridSampleMode mode)
    {
        using var file = SafetensorsFile.Open(Fixtures.Case("flow_warp.safetensors"));
        using var image = TestDevice.On(file.Load("image"));
        using var flow = TestDevice.On(file.Load("flow"));
        using var expected = file.Load(expectedKey);

        using var warped = FlowWarp.Warp(image, flow, mode);

        Assert.That(warped.shape, Is.EqualTo(expected.shape));
        using var diff = (warped.cpu() - expected).abs().max();
        var maxDiff = diff.item<float>();
        TestContext.Out.WriteLine($"flow_warp {expectedKey}: max |diff| {maxDiff:E2}");
        Assert.That(maxDiff, Is.LessThanOrEqualTo(Tolerance));
    }
}
