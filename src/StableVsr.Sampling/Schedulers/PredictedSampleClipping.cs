using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// Bounds the predicted x0 as diffusers' schedulers do: dynamic thresholding when <c>thresholding</c> is on,
/// else clamping to ±<c>clip_sample_range</c> when <c>clip_sample</c> is on, else nothing.
/// </summary>
internal static class PredictedSampleClipping
{
    /// <summary>The bounded x0; <paramref name="predictedOriginal"/> itself when neither option is on.</summary>
    public static Tensor Apply(Tensor predictedOriginal, SchedulerConfig config)
    {
        if (config.Thresholding)
        {
            return Threshold(predictedOriginal, config.DynamicThresholdingRatio, config.SampleMaxValue);
        }

        return config.ClipSample
            ? predictedOriginal.clamp(ScalarCache.Of(-config.ClipSampleRange), ScalarCache.Of(config.ClipSampleRange))
            : predictedOriginal;
    }

    // Imagen's dynamic thresholding (arXiv 2205.11487): per batch item, s = quantile(|x0|, ratio) clamped to
    // [1, sample_max_value]; x0 is clamped to [-s, s] and divided by s.
    private static Tensor Threshold(Tensor sample, double ratio, double maxValue)
    {
        var dtype = sample.dtype;
        var shape = sample.shape;

        // The quantile needs float32 or float64, as in diffusers.
        var flat = (dtype is ScalarType.Float32 or ScalarType.Float64 ? sample : sample.to(ScalarType.Float32)).reshape(shape[0], -1);

        // torch.quantile(x, float q) turns q into a tensor of x's dtype and device; doing the same keeps q's rounding.
        using var q = tensor(ratio, dtype: flat.dtype, device: flat.device);
        var s = flat.abs().quantile(q, dim: 1).clamp(ScalarCache.Of(1), ScalarCache.Of(maxValue)).unsqueeze(1);
        var thresholded = flat.clamp(-s, s) / s;
        return thresholded.reshape(shape).to(dtype);
    }
}
