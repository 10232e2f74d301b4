using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>Attention</c> with its default processor (<c>AttnProcessor2_0</c>): multi-head attention through
/// <c>scaled_dot_product_attention</c>, so memory grows linearly with the number of tokens. Used as self- or
/// cross-attention in the transformer blocks, and as the VAE mid-block attention (4-D input, group norm,
/// biased projections, residual connection, rescaled output).
/// </summary>
internal sealed class Attention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GroupNorm? group_norm;
    private readonly Linear to_q;
    private readonly Linear to_k;
    private readonly Linear to_v;
    private readonly ModuleList<Linear> to_out;
    private readonly int heads;
    private readonly bool upcastAttention;
    private readonly bool residualConnection;
    private readonly double rescaleOutputFactor;

    /// <summary>Creates the layer.</summary>
    /// <param name="options">Sizes and switches.</param>
    public Attention(AttentionOptions options)
        : base(nameof(Attention))
    {
        ArgumentNullException.ThrowIfNull(options);
        var innerDim = options.DimHead * options.Heads;
        var crossDim = options.CrossAttentionDim ?? options.QueryDim;
        if (options.NormGroups is int groups)
        {
            group_norm = nn.GroupNorm(groups, options.QueryDim, options.NormEps);
        }

        to_q = nn.Linear(options.QueryDim, innerDim, hasBias: options.Bias);
        to_k = nn.Linear(crossDim, innerDim, hasBias: options.Bias);
        to_v = nn.Linear(crossDim, innerDim, hasBias: options.Bias);

        // The checkpoint numbers the output projection 0: index 1 is a dropout, which is inactive in inference.
        to_out = nn.ModuleList(nn.Linear(innerDim, options.QueryDim, hasBias: true));
        heads = options.Heads;
        upcastAttention = options.UpcastAttention;
        residualConnection = options.ResidualConnection;
        rescaleOutputFactor = options.RescaleOutputFactor;
        RegisterComponents();
    }

    /// <summary>
    /// Attends from <paramref name="hiddenStates"/> ([B, N, C], or [B, C, H, W]) to <paramref name="encoderHiddenStates"/>
    /// ([B, M, cross dim]), or to itself when that is null.
    /// </summary>
    public override Tensor forward(Tensor hiddenStates, Tensor? encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var residual = hiddenStates;
        var spatial = hiddenStates.dim() == 4;
        var shape = hiddenStates.shape;
        var tokens = spatial
            ? hiddenStates.view(shape[0], shape[1], shape[2] * shape[3]).transpose(1, 2)
            : hiddenStates;
        if (group_norm is not null)
        {
            tokens = group_norm.forward(tokens.transpose(1, 2)).transpose(1, 2);
        }

        var context = encoderHiddenStates ?? tokens;
        var batch = context.shape[0];
        var query = to_q.forward(tokens);
        var key = to_k.forward(context);
        var value = to_v.forward(context);
        var headDim = key.shape[^1] / heads;
        var dtype = query.dtype;
        query = query.view(batch, -1, heads, headDim).transpose(1, 2);
        key = key.view(batch, -1, heads, headDim).transpose(1, 2);
        value = value.view(batch, -1, heads, headDim).transpose(1, 2);
        if (upcastAttention && dtype != ScalarType.Float32)
        {
            query = query.to_type(ScalarType.Float32);
            key = key.to_type(ScalarType.Float32);
            value = value.to_type(ScalarType.Float32);
        }

        var attended = nn.functional.scaled_dot_product_attention(query, key, value);
        attended = attended.transpose(1, 2).reshape(batch, -1, heads * headDim).to_type(dtype);
        var output = to_out[0].forward(attended);
        if (spatial)
        {
            output = output.transpose(-1, -2).reshape(shape);
        }

        if (residualConnection)
        {
            output = output.Plus(residual);
        }

        if (rescaleOutputFactor != 1.0)
        {
            output = output.DividedBy(rescaleOutputFactor);
        }

        return output.MoveToOuterDisposeScope();
    }
}
