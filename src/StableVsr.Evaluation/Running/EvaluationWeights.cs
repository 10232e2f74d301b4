namespace StableVsr.Evaluation;

/// <summary>
/// Where the metric networks' weights come from. A null file means torchvision's ImageNet (or RAFT) weights through
/// the torch hub cache (<c>TORCH_HOME</c>), downloaded once when missing and the network allows (checked against the
/// hash prefix in their names); a given file is used as it is. LPIPS' and DISTS' learned heads ship inside the package.
/// </summary>
/// <param name="AlexNet">AlexNet weights for LPIPS and tLPIPS (<c>features.*</c> keys).</param>
/// <param name="Vgg16">VGG16 weights for DISTS (<c>features.*</c> keys).</param>
/// <param name="Raft">RAFT-large weights for tOF (.pth or .safetensors).</param>
public sealed record EvaluationWeights(string? AlexNet = null, string? Vgg16 = null, string? Raft = null)
{
    /// <summary>torchvision's ImageNet AlexNet, which LPIPS uses.</summary>
    public const string AlexNetUrl = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth";

    /// <summary>torchvision's ImageNet VGG16, which DISTS uses (a legacy-format torch.save file).</summary>
    public const string Vgg16Url = "https://download.pytorch.org/models/vgg16-397923af.pth";
}
