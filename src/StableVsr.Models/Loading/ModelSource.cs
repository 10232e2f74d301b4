using StableVsr.Weights.Hub;

namespace StableVsr.Models.Loading;

/// <summary>Where StableVSR's weights come from.</summary>
public sealed record ModelSource
{
    /// <summary>Names a model and RAFT weights; null takes the defaults (<see cref="DefaultModel"/>, torchvision's RAFT-large).</summary>
    /// <param name="model">See <see cref="Model"/>.</param>
    /// <param name="raft">See <see cref="Raft"/>.</param>
    public ModelSource(string? model = null, string? raft = null)
    {
        Model = model ?? DefaultModel;
        Raft = raft;
    }

    /// <summary>The released StableVSR checkpoint on the Hugging Face Hub (<see cref="PretrainedWeights.StableVsr"/>).</summary>
    public static string DefaultModel => PretrainedWeights.StableVsr.HubId!;

    /// <summary>
    /// A folder in diffusers layout (unet/, controlnet/, vae/, scheduler/, text_encoder/, tokenizer/), or a Hugging Face
    /// id such as <see cref="DefaultModel"/> (optionally "@revision"), found in the Hugging Face cache or downloaded into it.
    /// </summary>
    public string Model { get; init; }

    /// <summary>
    /// RAFT-large weights, a .pth or .safetensors file; null takes <see cref="PretrainedWeights.RaftLarge"/> through the
    /// torch hub cache (TORCH_HOME), downloading it when missing and the network allows.
    /// </summary>
    public string? Raft { get; init; }

    /// <summary>
    /// A ControlNet folder (config.json + weights, diffusers layout) used instead of the model's <c>controlnet/</c>, such
    /// as one written by <c>stablevsr train</c>; null (the default) takes the model's own.
    /// </summary>
    public string? ControlNet { get; init; }
}
