namespace StableVsr.Models.Blocks;

/// <summary>The settings every <see cref="Transformer2DModel"/> of a cross-attention block shares.</summary>
/// <param name="Heads">Number of attention heads (diffusers' <c>attention_head_dim</c> in 0.21 configs).</param>
/// <param name="CrossAttentionDim">Width of the encoder hidden states.</param>
/// <param name="TransformerLayers">Transformer blocks per <see cref="Transformer2DModel"/>.</param>
/// <param name="UseLinearProjection">Linear rather than 1x1-convolution projections.</param>
/// <param name="OnlyCrossAttention">The first attention attends to the encoder states too.</param>
/// <param name="UpcastAttention">Attention computed in float32.</param>
internal sealed record CrossAttentionSettings(int Heads, int CrossAttentionDim, int TransformerLayers, bool UseLinearProjection, bool OnlyCrossAttention, bool UpcastAttention);
