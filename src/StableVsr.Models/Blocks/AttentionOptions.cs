namespace StableVsr.Models.Blocks;

/// <summary>The construction arguments of <see cref="Attention"/> that diffusers' checkpoints use.</summary>
/// <param name="QueryDim">Width of the attending tokens.</param>
/// <param name="Heads">Number of heads.</param>
/// <param name="DimHead">Width of each head.</param>
/// <param name="CrossAttentionDim">Width of the attended states, or null for self-attention.</param>
/// <param name="Bias">Whether the q/k/v projections have a bias.</param>
/// <param name="UpcastAttention">Computes the attention in float32 when the model runs in a lower precision.</param>
/// <param name="NormGroups">GroupNorm groups applied to the input first (VAE), or null for none.</param>
/// <param name="NormEps">GroupNorm epsilon.</param>
/// <param name="ResidualConnection">Adds the input to the output.</param>
/// <param name="RescaleOutputFactor">The output is divided by it.</param>
internal sealed record AttentionOptions(
    int QueryDim,
    int Heads,
    int DimHead,
    int? CrossAttentionDim = null,
    bool Bias = false,
    bool UpcastAttention = false,
    int? NormGroups = null,
    double NormEps = 1e-5,
    bool ResidualConnection = false,
    double RescaleOutputFactor = 1.0);
