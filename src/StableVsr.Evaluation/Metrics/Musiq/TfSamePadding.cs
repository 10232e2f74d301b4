using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>
/// TensorFlow's 'SAME' padding, which MUSIQ was trained with: zeros so that a kernel k with stride s gives ceil(n / s)
/// outputs, the odd pixel going to the bottom and right (asymmetric, unlike PyTorch's symmetric padding).
/// </summary>
internal static class TfSamePadding
{
    /// <summary>Pads [N, C, H, W] for kernel <paramref name="kernel"/> and stride <paramref name="stride"/>.</summary>
    public static Tensor Pad(Tensor x, int kernel, int stride)
    {
        var rows = Amount(x.shape[2], kernel, stride);
        var columns = Amount(x.shape[3], kernel, stride);
        return rows == 0 && columns == 0
            ? x.alias()
            : nn.functional.pad(x, [columns / 2, columns - (columns / 2), rows / 2, rows - (rows / 2)]);
    }

    private static long Amount(long size, int kernel, int stride)
    {
        var outputs = (size + stride - 1) / stride;
        return Math.Max(0, ((outputs - 1) * stride) + kernel - size);
    }
}
