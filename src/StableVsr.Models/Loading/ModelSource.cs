namespace StableVsr.Models.Loading;

/// <summary>Where StableVSR's weights come from.</summary>
/// <param name="Model">
/// A folder in diffusers layout (unet/, controlnet/, vae/, scheduler/, text_encoder/, tokenizer/), or a Hugging Face
/// id such as "claudiom4sir/StableVSR" (optionally "@revision"), found in the Hugging Face cache or downloaded into it.
/// </param>
/// <param name="Raft">
/// RAFT-large weights, a .pth or .safetensors file; null takes torchvision's raft_large_C_T_SKHT_V2 through the torch
/// hub cache (TORCH_HOME), downloading it when missing and the network allows.
/// </param>
public sealed record ModelSource(string Model = ModelSource.DefaultModel, string? Raft = null)
{
    /// <summary>The released StableVSR checkpoint on the Hugging Face Hub.</summary>
    public const string DefaultModel = "claudiom4sir/StableVSR";

    /// <summary>
    /// A ControlNet folder (config.json + weights, diffusers layout) used instead of the model's <c>controlnet/</c>, such
    /// as one written by <c>stablevsr train</c>; null (the default) takes the model's own.
    /// </summary>
    public string? ControlNet { get; init; }
}
