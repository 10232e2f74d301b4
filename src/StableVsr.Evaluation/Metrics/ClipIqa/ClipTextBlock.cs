using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.ClipIqa;

/// <summary>CLIP's residual attention block: x + attn(ln_1(x)), then x + c_proj(QuickGELU(c_fc(ln_2(x)))).</summary>
internal sealed class ClipTextBlock : nn.Module<Tensor, Tensor>
{
    private const double QuickGeluScale = 1.702;

    private readonly ClipTextAttention attn;
    private readonly LayerNorm ln_1;
    private readonly Mlp mlp;
    private readonly LayerNorm ln_2;

    public ClipTextBlock(int width, int heads)
        : base(nameof(ClipTextBlock))
    {
        attn = new ClipTextAttention(width, heads);
        ln_1 = nn.LayerNorm(width);
        mlp = new Mlp(width);
        ln_2 = nn.LayerNorm(width);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.Plus(attn.call(ln_1.call(input)));
        return x.Plus(mlp.call(ln_2.call(x))).MoveToOuterDisposeScope();
    }

    /// <summary>The feed-forward part, named <c>mlp.c_fc</c> and <c>mlp.c_proj</c> as in the checkpoint.</summary>
    private sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        private readonly Linear c_fc;
        private readonly Linear c_proj;

        public Mlp(int width)
            : base(nameof(Mlp))
        {
            c_fc = nn.Linear(width, width * 4);
            c_proj = nn.Linear(width * 4, width);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = c_fc.call(input);
            return c_proj.call(x * sigmoid(x.Times(QuickGeluScale))).MoveToOuterDisposeScope();
        }
    }
}
