using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>
/// PSNR as torchmetrics' <c>PeakSignalNoiseRatio(data_range=1)</c> computes it for one image pair: over every value of
/// the image at once (not per channel), <c>10/ln(10) * (2 ln(1) - ln(sse / n))</c> in float32. Identical images give
/// +infinity, as in torchmetrics.
/// </summary>
public static class Psnr
{
    /// <summary>The PSNR of each pair of a batch: ground truth and output [B, 3, H, W] in [0, 1]; returns [B] (float32).</summary>
    /// <exception cref="InvalidInputException">The images are not [B, 3, H, W] floating-point tensors of one shape.</exception>
    public static Tensor Compute(Tensor groundTruth, Tensor output)
    {
        ImageChecks.SamePair(groundTruth, output, "PSNR");
        using var scope = NewDisposeScope();
        var count = groundTruth.shape[1] * groundTruth.shape[2] * groundTruth.shape[3];
        var sse = (groundTruth - output.to(groundTruth.dtype)).Power(2).sum([1, 2, 3]);
        var lnMse = sse.DividedBy(count).log();

        // torchmetrics: 2 * log(data_range) - log(mse), times 10 / log(tensor(10.)), each step in the input's dtype.
        var ten = tensor(10f, groundTruth.dtype, groundTruth.device);
        var toDecibels = ten / ten.log();
        var psnr = (ones_like(lnMse).log().Times(2) - lnMse) * toDecibels;
        return psnr.MoveToOuterDisposeScope();
    }
}
