using StableVsr.Sampling.Flow;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Flow;

public class FlowWarpTests
{
    [Test]
    public void ZeroFlowShowsTheReferencesHalfPixelNormalisation()
    {
        // Normalising by (W - 1) with align_corners false puts the first and last columns (and rows) half a
        // pixel outside the image, where zero padding halves a constant image; the interior keeps its value.
        using var image = full(1, 2, 5, 7, 3.0f);
        using var flow = zeros(1, 5, 7, 2);

        using var warped = FlowWarp.Warp(image, flow);

        Assert.Multiple(() =>
        {
            Assert.That(warped[0, 0, 2, 3].item<float>(), Is.EqualTo(3.0f).Within(1e-6));
            Assert.That(warped[0, 1, 2, 0].item<float>(), Is.EqualTo(1.5f).Within(1e-6));
            Assert.That(warped[0, 1, 4, 3].item<float>(), Is.EqualTo(1.5f).Within(1e-6));
            Assert.That(warped[0, 0, 0, 6].item<float>(), Is.EqualTo(0.75f).Within(1e-6));
        });
    }

    [Test]
    public void FlowMovesContent()
    {
        // A one-pixel shift in x: output pixel i samples input near i + 1, so a ramp along x increases.
        using var ramp = arange(16f).reshape(1, 1, 1, 16).expand(1, 1, 4, 16).contiguous();
        using var still = zeros(1, 4, 16, 2);
        using var shift = cat([ones(1, 4, 16, 1), zeros(1, 4, 16, 1)], 3);

        using var unshifted = FlowWarp.Warp(ramp, still, GridSampleMode.Nearest);
        using var shifted = FlowWarp.Warp(ramp, shift, GridSampleMode.Nearest);

        Assert.That((shifted[0, 0, 1, 7] - unshifted[0, 0, 1, 7]).item<float>(), Is.EqualTo(1f));
    }

    [TestCase(new long[] { 3, 8, 8 }, new long[] { 1, 8, 8, 2 }, "[N, C, H, W]")]
    [TestCase(new long[] { 1, 3, 8, 8 }, new long[] { 1, 2, 8, 8 }, "permute")]
    [TestCase(new long[] { 1, 3, 8, 8 }, new long[] { 1, 8, 6, 2 }, "must match")]
    [TestCase(new long[] { 2, 3, 8, 8 }, new long[] { 1, 8, 8, 2 }, "must match")]
    public void MismatchedShapesAreRejected(long[] imageShape, long[] flowShape, string hint)
    {
        using var image = zeros(imageShape);
        using var flow = zeros(flowShape);

        Assert.That(() => FlowWarp.Warp(image, flow), Throws.TypeOf<InvalidInputException>().With.Message.Contains(hint));
    }

    [Test]
    public void IntegerImagesAreRejected()
    {
        using var image = zeros([1, 3, 8, 8], ScalarType.Int64);
        using var flow = zeros(1, 8, 8, 2);

        Assert.That(() => FlowWarp.Warp(image, flow), Throws.TypeOf<InvalidInputException>().With.Message.Contains("floating-point"));
    }

    [Test]
    public void RepeatedWarpsLeaveNoTensorsBehind()
    {
        using var image = rand(1, 3, 16, 16);
        using var flow = randn(1, 16, 16, 2);
        FlowWarp.Warp(image, flow).Dispose();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (var i = 0; i < 10; i++)
        {
            using var warped = FlowWarp.Warp(image, flow);
        }

        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }
}
