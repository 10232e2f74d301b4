namespace StableVsr.Weights.Hub;

/// <summary>
/// One released set of weights, described once (torchvision's weights enums are the model): where it comes from (a
/// Hugging Face repository or a URL), the file a download is cached as, the hash the file must have and its licence.
/// Every loader takes its defaults from these descriptors, so no id or URL is repeated anywhere else.
/// </summary>
public sealed record PretrainedWeights
{
    /// <summary>
    /// StableVSR's released checkpoint (<c>claudiom4sir/StableVSR</c>, diffusers layout: unet/, controlnet/, vae/,
    /// scheduler/, text_encoder/, tokenizer/), resolved through the Hugging Face cache.
    /// </summary>
    public static PretrainedWeights StableVsr { get; } = new()
    {
        Name = "StableVSR",
        HubId = "claudiom4sir/StableVSR",
        License = "MIT (the StableVSR repository); its UNet and VAE come from stabilityai/stable-diffusion-x4-upscaler (CreativeML Open RAIL++-M)",
    };

    /// <summary>torchvision's RAFT-large (<c>Raft_Large_Weights.C_T_SKHT_V2</c>), the optical flow StableVSR uses.</summary>
    public static PretrainedWeights RaftLarge { get; } = new()
    {
        Name = "RAFT-large C_T_SKHT_V2",
        Url = new Uri("https://download.pytorch.org/models/raft_large_C_T_SKHT_V2-ff5fadd5.pth"),
        Sha256Prefix = "ff5fadd5",
        License = "BSD-3-Clause (torchvision)",
    };

    /// <summary>torchvision's ImageNet AlexNet (<c>AlexNet_Weights.IMAGENET1K_V1</c>), the backbone of LPIPS and tLPIPS.</summary>
    public static PretrainedWeights AlexNet { get; } = new()
    {
        Name = "AlexNet IMAGENET1K_V1",
        Url = new Uri("https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"),
        Sha256Prefix = "7be5be79",
        License = "BSD-3-Clause (torchvision)",
    };

    /// <summary>torchvision's ImageNet VGG16 (<c>VGG16_Weights.IMAGENET1K_V1</c>, a legacy torch.save file), the backbone of DISTS.</summary>
    public static PretrainedWeights Vgg16 { get; } = new()
    {
        Name = "VGG16 IMAGENET1K_V1",
        Url = new Uri("https://download.pytorch.org/models/vgg16-397923af.pth"),
        Sha256Prefix = "397923af",
        License = "BSD-3-Clause (torchvision)",
    };

    /// <summary>What the weights are, for messages (torchvision's enum member or the checkpoint's name).</summary>
    public required string Name { get; init; }

    /// <summary>The Hugging Face repository (<c>owner/name</c>) holding the weights in diffusers layout; null when they come from <see cref="Url"/>.</summary>
    public string? HubId { get; init; }

    /// <summary>Where the single weights file is downloaded from (through the torch hub cache); null for a Hub repository.</summary>
    public Uri? Url { get; init; }

    /// <summary>The name the file is cached as (the last segment of <see cref="Url"/>); null for a Hub repository.</summary>
    public string? FileName => Url is null ? null : Path.GetFileName(Url.AbsolutePath);

    /// <summary>
    /// The start of the file's SHA-256 in lower-case hex, which a download must match (torch hub's check: torchvision
    /// puts it in the file name); null when the source is checked otherwise (the Hub's own ETags).
    /// </summary>
    public string? Sha256Prefix { get; init; }

    /// <summary>The licence the weights are released under, as their publishers state it.</summary>
    public required string License { get; init; }
}
