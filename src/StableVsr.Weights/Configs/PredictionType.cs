namespace StableVsr.Weights.Configs;

/// <summary>What the denoising model predicts (diffusers' <c>prediction_type</c>).</summary>
internal enum PredictionType
{
    /// <summary><c>epsilon</c>: the noise that was added.</summary>
    Epsilon,

    /// <summary><c>sample</c>: the clean sample x0 directly.</summary>
    Sample,

    /// <summary><c>v_prediction</c>: the velocity sqrt(alpha_bar)·noise − sqrt(1 − alpha_bar)·x0 (Imagen Video, the x4 upscaler).</summary>
    VPrediction,
}
