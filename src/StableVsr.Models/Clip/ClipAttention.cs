using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Clip;

/// <summary>
/// CLIP's causal multi-head self-attention (q/k/v/out projections) through
/// <c>scaled_dot_product_attention</c>, so each token attends to itself and the tokens before it.
/// Input and output [B, L, hidden].
/// </summary>
internal sealed class ClipAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear q_proj;
    private readonly Linear out_proj;
    private readonly long heads;
    private readonly long headDim;

    /// <summary>Creates the attention of one encoder layer.</summary>
    public ClipAttention(ClipTextConfig config)
        : base(nameof(ClipAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        heads = config.NumAttentionHeads;
        headDim = config.HeadDim;
        k_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        v_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        q_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        out_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (b, l, e) = (input.shape[0], input.shape[1], input.shape[2]);
        var q = q_proj.call(input).view(b, l, heads, headDim).transpose(1, 2);
        var k = k_proj.call(input).view(b, l, heads, headDim).transpose(1, 2);
        var v = v_proj.call(input).view(b, l, heads, headDim).transpose(1, 2);
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
        return out_proj.call(attended.transpose(1, 2).reshape(b, l, e)).MoveToOuterDisposeScope();
    }
}
