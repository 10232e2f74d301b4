using static TorchSharp.torch;

namespace StableVsr.Models.ControlNet;

/// <summary>The inputs of <see cref="ControlNetModel"/>.</summary>
/// <param name="Sample">The noisy sample [B, in_channels, H, W], as given to the UNet.</param>
/// <param name="Timestep">The diffusion timestep: a scalar, or [1], or [B].</param>
/// <param name="EncoderHiddenStates">The text embeddings [B, tokens, cross_attention_dim].</param>
/// <param name="ControlnetCond">
/// The conditioning image [B, conditioning_channels, H x f, W x f], where f = 2^(stages - 1) of
/// <c>conditioning_embedding_out_channels</c> (4 for StableVSR: the warped previous frame at HR).
/// </param>
/// <param name="ConditioningScale">Every residual is multiplied by it.</param>
/// <param name="ClassLabels">Class labels [B] (or [1]) of a model with <c>num_class_embeds</c>; null otherwise.</param>
/// <param name="GuessMode">diffusers' guess mode: residuals scaled from 0.1 (shallowest) to 1.0 (mid block).</param>
internal sealed record ControlNetInput(
    Tensor Sample,
    Tensor Timestep,
    Tensor EncoderHiddenStates,
    Tensor ControlnetCond,
    double ConditioningScale = 1.0,
    Tensor? ClassLabels = null,
    bool GuessMode = false);
