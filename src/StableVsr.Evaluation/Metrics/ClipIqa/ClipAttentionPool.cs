using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.ClipIqa;

/// <summary>
/// CLIP's attention pooling: the mean of all positions, as one more token, queries the positions and itself with
/// multi-head attention (separate q/k/v projections, c_proj out); its output is the image embedding. CLIP-IQA runs it
/// at any image size without a positional embedding (pyiqa's <c>pos_embedding=False</c>), so
/// <c>positional_embedding</c> is loaded but never added.
/// </summary>
internal sealed class ClipAttentionPool : nn.Module<Tensor, Tensor>
{
    private readonly Parameter positional_embedding;
    private readonly Linear k_proj;
    private readonly Linear q_proj;
    private readonly Linear v_proj;
    private readonly Linear c_proj;
    private readonly int heads;

    public ClipAttentionPool(int width, int heads, int outputs, int positions)
        : base(nameof(ClipAttentionPool))
    {
        this.heads = heads;
        positional_embedding = new Parameter(empty(positions, width));
        k_proj = nn.Linear(width, width);
        q_proj = nn.Linear(width, width);
        v_proj = nn.Linear(width, width);
        c_proj = nn.Linear(width, outputs);
        RegisterComponents();
    }

    /// <summary>Pools [N, C, H, W] to [N, outputs].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (batch, channels) = (input.shape[0], input.shape[1]);
        var tokens = input.flatten(2).permute(2, 0, 1).contiguous();
        tokens = cat([tokens.mean([0], keepdim: true), tokens], 0).permute(1, 0, 2);
        var headWidth = channels / heads;
        Tensor Heads(Tensor t) => t.view(batch, t.shape[1], heads, headWidth).transpose(1, 2);
        var q = Heads(q_proj.call(tokens.narrow(1, 0, 1))).DividedBy(Math.Sqrt(headWidth));
        var k = Heads(k_proj.call(tokens));
        var v = Heads(v_proj.call(tokens));
        var pooled = q.matmul(k.transpose(-2, -1)).softmax(-1).matmul(v).transpose(1, 2).reshape(batch, channels);
        return c_proj.call(pooled).MoveToOuterDisposeScope();
    }
}
