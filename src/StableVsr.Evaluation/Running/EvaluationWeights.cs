using StableVsr.Weights.Hub;

namespace StableVsr.Evaluation;

/// <summary>
/// Where the metric networks' weights come from. A null file means the weights the reference itself fetches, through
/// the same caches: torchvision's ImageNet AlexNet/VGG16 and RAFT through the torch hub cache (<c>TORCH_HOME</c>,
/// checked against the hash prefix in their names), MUSIQ-KonIQ through pyiqa's (the same folder), OpenAI's CLIP RN50
/// through <c>~/.cache/clip</c> (checked against OpenAI's sha256), each downloaded once when missing and the network
/// allows; a given file is used as it is. LPIPS' and DISTS' learned heads and NIQE's pristine model ship inside the
/// package.
/// </summary>
/// <param name="AlexNet">AlexNet weights for LPIPS and tLPIPS (<c>features.*</c> keys).</param>
/// <param name="Vgg16">VGG16 weights for DISTS (<c>features.*</c> keys).</param>
/// <param name="Raft">RAFT-large weights for tOF (.pth or .safetensors).</param>
/// <param name="Musiq">MUSIQ weights (pyiqa's <c>musiq_koniq_ckpt-e95806b9.pth</c>).</param>
/// <param name="Clip">OpenAI's CLIP RN50 for CLIP-IQA (<c>RN50.pt</c>, a TorchScript archive read without running it).</param>
/// <param name="Niqe">NIQE's pristine model (<c>modelparameters.mat</c>); default the NIQE release's, shipped inside the package.</param>
/// <remarks>The defaults are the descriptors <see cref="PretrainedWeights.AlexNet"/>, <see cref="PretrainedWeights.Vgg16"/> and <see cref="PretrainedWeights.RaftLarge"/>.</remarks>
public sealed record EvaluationWeights(string? AlexNet = null, string? Vgg16 = null, string? Raft = null, string? Musiq = null, string? Clip = null, string? Niqe = null);
