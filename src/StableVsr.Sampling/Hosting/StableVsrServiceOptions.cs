using StableVsr.Models.Loading;
using StableVsr.Weights.Hub;

namespace StableVsr.Sampling.Hosting;

/// <summary>
/// What <c>services.AddStableVsr(...)</c> configures: where the weights come from and how upscalers run. A class with
/// setters, as the options pattern binds it, from code or from configuration:
/// <code>
/// "StableVsr": { "Model": "claudiom4sir/StableVSR", "Upscale": { "Device": "cuda:1", "Sampling": { "Steps": 20, "WindowSize": 8 } } }
/// </code>
/// Checked when the host starts: an unknown device name or an out-of-range value stops the start with a message that
/// names it.
/// </summary>
public sealed class StableVsrServiceOptions
{
    /// <summary>A model folder in diffusers layout or a Hugging Face id. Default <see cref="ModelSource.DefaultModel"/>.</summary>
    public string Model { get; set; } = ModelSource.DefaultModel;

    /// <summary>RAFT-large weights (.pth or .safetensors); null (the default) takes <see cref="PretrainedWeights.RaftLarge"/> through the torch hub cache.</summary>
    public string? Raft { get; set; }

    /// <summary>
    /// How upscalers run unless <see cref="IVideoUpscalerFactory.CreateAsync"/> is given other options. Default: a new
    /// <see cref="UpscaleOptions.Default"/> of its own, so binding configuration into it changes nothing else.
    /// </summary>
    public UpscaleOptions Upscale { get; set; } = UpscaleOptions.Default;

    /// <summary>Hugging Face and torch hub settings; null (the default) reads HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE and TORCH_HOME.</summary>
    public HubOptions? Hub { get; set; }
}
