using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>The inputs of a UNet up block.</summary>
/// <param name="HiddenStates">The feature map [B, C, H, W].</param>
/// <param name="ResidualHiddenStates">The skip connections for this block, in the order the down blocks made them; consumed from the end.</param>
/// <param name="Temb">The time embedding [B, temb channels].</param>
/// <param name="EncoderHiddenStates">The encoder states [B, M, cross dim] (used by cross-attention blocks only).</param>
/// <param name="UpsampleSize">The (height, width) the upsampler must produce, or null for twice the input size.</param>
internal sealed record UpBlockInput(Tensor HiddenStates, IReadOnlyList<Tensor> ResidualHiddenStates, Tensor Temb, Tensor EncoderHiddenStates, long[]? UpsampleSize);
