using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>The inputs of a UNet down block.</summary>
/// <param name="HiddenStates">The feature map [B, C, H, W].</param>
/// <param name="Temb">The time embedding [B, temb channels].</param>
/// <param name="EncoderHiddenStates">The encoder states [B, M, cross dim] (used by cross-attention blocks only).</param>
internal sealed record DownBlockInput(Tensor HiddenStates, Tensor Temb, Tensor EncoderHiddenStates);
