using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>
/// SSIM as torchmetrics 1.1.1's <c>StructuralSimilarityIndexMeasure(data_range=1)</c> computes it: an 11x11 Gaussian
/// window (sigma 1.5) built in float32 exactly as torchmetrics builds it, one direct depthwise 2-D convolution of
/// x, y, x², y², xy, moments as E[xy] - E[x]E[y], c1 = 0.01², c2 = 0.03², and the mean over the window positions that
/// lie inside the image (reflect-padding by 5 and cropping 5 keeps exactly those).
/// </summary>
/// <remarks>
/// The window is not separable here on purpose: torchmetrics sums 121 products per position, and a separable or
/// float64 window moves the result by up to 1.6e-5, more than the float32 noise of the reference itself.
/// </remarks>
public static class Ssim
{
    /// <summary>The window's side: <c>int(3.5 * 1.5 + 0.5) * 2 + 1</c>.</summary>
    public const int WindowSize = 11;

    /// <summary>The Gaussian's standard deviation.</summary>
    public const double Sigma = 1.5;

    private const int Pad = (WindowSize - 1) / 2;
    private const double C1 = 0.01 * 0.01;
    private const double C2 = 0.03 * 0.03;

    /// <summary>
    /// The 1-D window torchmetrics builds: taps <c>exp(-(d / 1.5)² / 2)</c> for d = -5..5 in float32, divided by their
    /// float32 sum. Returns [11].
    /// </summary>
    public static Tensor GaussianWindow(Device? device = null)
    {
        using var scope = NewDisposeScope();
        var distance = TensorArithmetic.Arange(-Pad, Pad + 1, 1, ScalarType.Float32, device);
        var taps = (-distance.DividedBy(Sigma).Power(2)).DividedBy(2).exp();
        return (taps / taps.sum()).MoveToOuterDisposeScope();
    }

    /// <summary>The SSIM of each pair of a batch: ground truth and output [B, 3, H, W] in [0, 1]; returns [B].</summary>
    /// <exception cref="InvalidInputException">The images are not [B, 3, H, W] floating-point tensors of one shape, or a side is under 11 px.</exception>
    public static Tensor Compute(Tensor groundTruth, Tensor output)
    {
        ImageChecks.SamePair(groundTruth, output, "SSIM", WindowSize);
        using var scope = NewDisposeScope();
        var batch = groundTruth.shape[0];
        var channels = groundTruth.shape[1];
        var x = nn.functional.pad(groundTruth, [Pad, Pad, Pad, Pad], TorchSharp.PaddingModes.Reflect);
        var y = nn.functional.pad(output.to(groundTruth.dtype), [Pad, Pad, Pad, Pad], TorchSharp.PaddingModes.Reflect);

        var window = GaussianWindow(groundTruth.device).to(groundTruth.dtype).unsqueeze(0);
        var kernel = window.t().matmul(window).expand(channels, 1, WindowSize, WindowSize).contiguous();
        var moments = nn.functional.conv2d(cat([x, y, x * x, y * y, x * y]), kernel, groups: channels).split(batch);

        var muXSquared = moments[0].Power(2);
        var muYSquared = moments[1].Power(2);
        var muXY = moments[0] * moments[1];
        var sigmaXSquared = moments[2] - muXSquared;
        var sigmaYSquared = moments[3] - muYSquared;
        var sigmaXY = moments[4] - muXY;

        var upper = sigmaXY.Times(2).Plus(C2);
        var lower = sigmaXSquared.Plus(sigmaYSquared).Plus(C2);
        var map = muXY.Times(2).Plus(C1) * upper / (muXSquared.Plus(muYSquared).Plus(C1) * lower);
        var valid = map[.., .., Pad..^Pad, Pad..^Pad];
        return valid.reshape(batch, -1).mean([1]).MoveToOuterDisposeScope();
    }
}
