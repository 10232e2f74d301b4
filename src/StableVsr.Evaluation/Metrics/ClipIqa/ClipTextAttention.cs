using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.ClipIqa;

/// <summary>
/// <c>nn.MultiheadAttention</c> as CLIP's text blocks hold it (<c>in_proj_weight</c> [3C, C], <c>in_proj_bias</c>,
/// <c>out_proj</c>), causal: each position attends to itself and those before it.
/// </summary>
internal sealed class ClipTextAttention : nn.Module<Tensor, Tensor>
{
    private readonly Parameter in_proj_weight;
    private readonly Parameter in_proj_bias;
    private readonly Linear out_proj;
    private readonly int heads;

    public ClipTextAttention(int width, int heads)
        : base(nameof(ClipTextAttention))
    {
        this.heads = heads;
        in_proj_weight = new Parameter(empty(3 * width, width));
        in_proj_bias = new Parameter(empty(3 * width));
        out_proj = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (batch, length, width) = (input.shape[0], input.shape[1], input.shape[2]);
        var headWidth = width / heads;
        var qkv = nn.functional.linear(input, in_proj_weight, in_proj_bias).chunk(3, -1);
        Tensor Heads(Tensor t) => t.reshape(batch, length, heads, headWidth).transpose(1, 2);
        var q = Heads(qkv[0]).DividedBy(Math.Sqrt(headWidth));
        var causal = ones(length, length, @bool, input.device).triu(1);
        var logits = q.matmul(Heads(qkv[1]).transpose(-2, -1)).masked_fill(causal, ScalarCache.Of(double.NegativeInfinity));
        var mixed = logits.softmax(-1).matmul(Heads(qkv[2])).transpose(1, 2).reshape(batch, length, width);
        return out_proj.call(mixed).MoveToOuterDisposeScope();
    }
}
