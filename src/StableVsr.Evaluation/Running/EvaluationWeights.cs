using StableVsr.Weights.Hub;

namespace StableVsr.Evaluation;

/// <summary>
/// Where the metric networks' weights come from. A null file means torchvision's ImageNet (or RAFT) weights through
/// the torch hub cache (<c>TORCH_HOME</c>), downloaded once when missing and the network allows (checked against the
/// hash prefix in their names); a given file is used as it is. LPIPS' and DISTS' learned heads ship inside the package.
/// </summary>
/// <param name="AlexNet">AlexNet weights for LPIPS and tLPIPS (<c>features.*</c> keys).</param>
/// <param name="Vgg16">VGG16 weights for DISTS (<c>features.*</c> keys).</param>
/// <param name="Raft">RAFT-large weights for tOF (.pth or .safetensors).</param>
/// <remarks>The defaults are the descriptors <see cref="PretrainedWeights.AlexNet"/>, <see cref="PretrainedWeights.Vgg16"/> and <see cref="PretrainedWeights.RaftLarge"/>.</remarks>
public sealed record EvaluationWeights(string? AlexNet = null, string? Vgg16 = null, string? Raft = null);
