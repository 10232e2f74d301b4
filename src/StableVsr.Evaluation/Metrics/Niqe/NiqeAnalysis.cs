using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Niqe;

/// <summary>The steps of one NIQE evaluation, kept for inspection and tests; dispose to free them.</summary>
/// <param name="Gray">The 8-bit luma, [H, W] float64, before cropping.</param>
/// <param name="Normalized">The MSCN coefficients at full and half size of the crop to whole blocks.</param>
/// <param name="Half">The half-size luma (MATLAB imresize), [H/2, W/2] float64.</param>
/// <param name="Features">The 36 features of each block (column-major block order), [blocks, 36].</param>
/// <param name="Mean">The NaN-skipping mean of the features, [36].</param>
/// <param name="Covariance">Their covariance over the blocks without NaN, [36, 36].</param>
/// <param name="Inverse">The pseudo-inverse of the mean of the pristine and the image covariance, [36, 36].</param>
/// <param name="Score">The NIQE score (lower is more natural).</param>
internal sealed record NiqeAnalysis(Tensor Gray, Tensor[] Normalized, Tensor Half, Tensor Features, Tensor Mean, Tensor Covariance, Tensor Inverse, double Score) : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Gray.Dispose();
        foreach (var t in Normalized)
        {
            t.Dispose();
        }

        Half.Dispose();
        Features.Dispose();
        Mean.Dispose();
        Covariance.Dispose();
        Inverse.Dispose();
    }
}
