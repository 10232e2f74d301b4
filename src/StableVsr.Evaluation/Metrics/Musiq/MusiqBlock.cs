using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>A pre-norm transformer block (LayerNorm eps 1e-6): x + attention(norm1(x)), then x + mlp(norm2(x)).</summary>
internal sealed class MusiqBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private const double Epsilon = 1e-6;

    private readonly LayerNorm norm1;
    private readonly MusiqAttention attention;
    private readonly LayerNorm norm2;
    private readonly MusiqMlp mlp;

    public MusiqBlock(int hidden, int mlpSize, int heads)
        : base(nameof(MusiqBlock))
    {
        norm1 = nn.LayerNorm(hidden, Epsilon);
        attention = new MusiqAttention(hidden, heads);
        norm2 = nn.LayerNorm(hidden, Epsilon);
        mlp = new MusiqMlp(hidden, mlpSize);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var x = input.Plus(attention.call(norm1.call(input), mask));
        return x.Plus(mlp.call(norm2.call(x))).MoveToOuterDisposeScope();
    }
}
