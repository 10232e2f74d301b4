using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>BasicTransformerBlock</c> with layer norms: attention (<c>attn1</c>), cross-attention to the encoder
/// states (<c>attn2</c>) and a GEGLU feed-forward, each pre-normalised and residual. With
/// <c>only_cross_attention</c>, <c>attn1</c> also attends to the encoder states instead of to the tokens themselves.
/// </summary>
internal sealed class BasicTransformerBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Attention attn1;
    private readonly LayerNorm norm2;
    private readonly Attention attn2;
    private readonly LayerNorm norm3;
    private readonly FeedForward ff;
    private readonly bool onlyCrossAttention;

    /// <summary>Creates the block for tokens of width <paramref name="dim"/>.</summary>
    public BasicTransformerBlock(int dim, int heads, int headDim, int crossAttentionDim, bool onlyCrossAttention, bool upcastAttention)
        : base(nameof(BasicTransformerBlock))
    {
        norm1 = nn.LayerNorm(dim);
        attn1 = new Attention(new AttentionOptions(dim, heads, headDim, onlyCrossAttention ? crossAttentionDim : null, UpcastAttention: upcastAttention));
        norm2 = nn.LayerNorm(dim);
        attn2 = new Attention(new AttentionOptions(dim, heads, headDim, crossAttentionDim, UpcastAttention: upcastAttention));
        norm3 = nn.LayerNorm(dim);
        ff = new FeedForward(dim);
        this.onlyCrossAttention = onlyCrossAttention;
        RegisterComponents();
    }

    /// <summary>Transforms tokens [B, N, dim] conditioned on encoder states [B, M, cross dim].</summary>
    public override Tensor forward(Tensor hiddenStates, Tensor encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var hidden = attn1.forward(norm1.forward(hiddenStates), onlyCrossAttention ? encoderHiddenStates : null).Plus(hiddenStates);
        hidden = attn2.forward(norm2.forward(hidden), encoderHiddenStates).Plus(hidden);
        hidden = ff.forward(norm3.forward(hidden)).Plus(hidden);
        return hidden.MoveToOuterDisposeScope();
    }
}
