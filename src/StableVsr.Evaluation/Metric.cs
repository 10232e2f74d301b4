namespace StableVsr.Evaluation;

/// <summary>The metrics of StableVSR's eval.py that StableVsr computes.</summary>
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
}
