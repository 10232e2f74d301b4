namespace StableVsr.Evaluation;

/// <summary>The metrics of StableVSR's eval.py (see <see cref="MetricInfo.All"/> for eval.py's printing order).</summary>
public enum Metric
{
    /// <summary>Peak signal-to-noise ratio in dB over the whole frame (higher is better).</summary>
    Psnr,

    /// <summary>Structural similarity with torchmetrics' 11x11 Gaussian window (higher is better).</summary>
    Ssim,

    /// <summary>LPIPS v0.1 with AlexNet features (lower is better).</summary>
    Lpips,

    /// <summary>DISTS with VGG16 features (lower is better).</summary>
    Dists,

    /// <summary>Temporal LPIPS: |LPIPS(gt_k, gt_k-1) - LPIPS(out_k, out_k-1)|, per frame pair (lower is better).</summary>
    TLpips,

    /// <summary>Temporal optical flow: mean |RAFT flow of the output pair - RAFT flow of the ground-truth pair| in pixels (lower is better).</summary>
    Tof,

    /// <summary>MUSIQ with the KonIQ-10k checkpoint: a no-reference mean opinion score on KonIQ's 0-100 scale (higher is better).</summary>
    Musiq,

    /// <summary>CLIP-IQA on OpenAI's CLIP RN50: the mean probability of five positive prompts against their antonyms, 0 to 1 (no reference; higher is better).</summary>
    ClipIqa,

    /// <summary>NIQE with the release's pristine model: distance of the frame's natural-scene statistics to natural images (no reference; lower is better).</summary>
    Niqe,
}
