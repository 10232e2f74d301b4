using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>The outputs of a UNet down block.</summary>
/// <param name="HiddenStates">The block's output map (the same tensor as the last residual).</param>
/// <param name="Residuals">The skip connections, one per resnet and one for the downsampler when there is one.</param>
internal sealed record DownBlockOutput(Tensor HiddenStates, IReadOnlyList<Tensor> Residuals);
