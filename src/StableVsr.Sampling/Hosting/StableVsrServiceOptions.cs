using StableVsr.Models.Loading;
using StableVsr.Weights.Hub;

namespace StableVsr.Sampling.Hosting;

/// <summary>
/// What <c>services.AddStableVsr(...)</c> configures: where the weights come from and how upscalers run. A class with
/// setters, as the options pattern binds it (from code or from configuration).
/// </summary>
public sealed class StableVsrServiceOptions
{
    /// <summary>A model folder in diffusers layout or a Hugging Face id. Default "claudiom4sir/StableVSR".</summary>
    public string Model { get; set; } = ModelSource.DefaultModel;

    /// <summary>RAFT-large weights (.pth or .safetensors); null (the default) takes torchvision's through the torch hub cache.</summary>
    public string? Raft { get; set; }

    /// <summary>How upscalers run unless <see cref="IVideoUpscalerFactory.CreateAsync"/> is given other options. Default <see cref="UpscaleOptions.Default"/>.</summary>
    public UpscaleOptions Upscale { get; set; } = UpscaleOptions.Default;

    /// <summary>Hugging Face and torch hub settings; null (the default) reads HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE and TORCH_HOME.</summary>
    public HubOptions? Hub { get; set; }
}
