using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>The transformer block's feed-forward part: fc1, GELU (erf), fc2.</summary>
internal sealed class MusiqMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    public MusiqMlp(int hidden, int mlp)
        : base(nameof(MusiqMlp))
    {
        fc1 = nn.Linear(hidden, mlp);
        fc2 = nn.Linear(mlp, hidden);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return fc2.call(nn.functional.gelu(fc1.call(input))).MoveToOuterDisposeScope();
    }
}
