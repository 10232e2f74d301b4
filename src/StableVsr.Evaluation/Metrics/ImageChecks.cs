using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>The input checks every metric makes at its boundary, with messages that say what was expected.</summary>
internal static class ImageChecks
{
    /// <summary>Both are [B, 3, H, W] floating-point images of the same shape.</summary>
    public static void SamePair(Tensor groundTruth, Tensor output, string metric, long minSide = 1)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(output);
        if (groundTruth.dim() != 4 || groundTruth.shape[1] != 3)
        {
            throw new InvalidInputException($"{metric} expects images [B, 3, H, W], got ground truth of shape {Shape(groundTruth)}.");
        }

        if (!groundTruth.shape.SequenceEqual(output.shape))
        {
            throw new InvalidInputException($"{metric} expects images of the same shape, got ground truth {Shape(groundTruth)} and output {Shape(output)}.");
        }

        if (!is_floating_point(groundTruth) || !is_floating_point(output))
        {
            throw new InvalidInputException($"{metric} expects floating-point images in [0, 1], got {groundTruth.dtype} and {output.dtype}; divide 8-bit frames by 255 (FrameTensors.ToTensor with PixelRange.ZeroToOne).");
        }

        if (groundTruth.shape[2] < minSide || groundTruth.shape[3] < minSide)
        {
            throw new InvalidInputException($"{metric} needs images of at least {minSide}x{minSide} pixels, got {groundTruth.shape[3]}x{groundTruth.shape[2]} (WxH).");
        }
    }

    /// <summary>Every value lies in [0, 1], as LPIPS with <c>normalize=True</c> requires.</summary>
    public static void InUnitRange(Tensor image, string what, string metric)
    {
        using var scope = NewDisposeScope();
        var (min, max) = (image.min().item<float>(), image.max().item<float>());
        if (!(min >= 0f && max <= 1f))
        {
            throw new InvalidInputException($"{metric} expects {what} in [0, 1] (8-bit values divided by 255), got values from {min} to {max}. Map [-1, 1] images with x / 2 + 0.5 first.");
        }
    }

    public static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
