using static TorchSharp.torch;

namespace StableVsr.Models.Unet;

/// <summary>The inputs of <see cref="UNet2DConditionModel"/>.</summary>
/// <param name="Sample">The noisy sample [B, in_channels, H, W] (for StableVSR: latent and LR frame concatenated, 7 channels).</param>
/// <param name="Timestep">The diffusion timestep: a scalar, or [1], or [B]; integer or real.</param>
/// <param name="EncoderHiddenStates">The text embeddings [B, tokens, cross_attention_dim].</param>
/// <param name="ClassLabels">Class labels [B] (or [1]) of a model with <c>num_class_embeds</c> (the x4 upscaler's noise level); null otherwise.</param>
/// <param name="DownResiduals">The ControlNet's down-block residuals, one per skip connection, added to them; null for none.</param>
/// <param name="MidResidual">The ControlNet's mid-block residual, added to the mid block's output; given together with <paramref name="DownResiduals"/>.</param>
internal sealed record UNetInput(
    Tensor Sample,
    Tensor Timestep,
    Tensor EncoderHiddenStates,
    Tensor? ClassLabels = null,
    IReadOnlyList<Tensor>? DownResiduals = null,
    Tensor? MidResidual = null);
