using StableVsr.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>DISTS' learned weights, named as in <c>dists_weights.pt</c>: <c>alpha</c> and <c>beta</c>, each [1, 1475, 1, 1].</summary>
internal sealed class DistsHeads : nn.Module
{
    private readonly Parameter alpha;
    private readonly Parameter beta;

    public DistsHeads(int channels)
        : base(nameof(DistsHeads))
    {
        using (var scope = NewDisposeScope())
        {
            alpha = nn.Parameter(zeros(1, channels, 1, 1), requires_grad: false);
            beta = nn.Parameter(zeros(1, channels, 1, 1), requires_grad: false);
            alpha.DetachFromDisposeScope();
            beta.DetachFromDisposeScope();
        }

        RegisterComponents();
    }

    /// <summary>alpha and beta divided by their joint sum (as DISTS does on every call), split per feature stage.</summary>
    public (Tensor[] Alpha, Tensor[] Beta) Normalised(long[] stageChannels)
    {
        using var scope = NewDisposeScope();
        var total = alpha.sum().Plus(beta.sum());
        var a = (alpha / total).split(stageChannels, 1).Select(t => t.MoveToOuterDisposeScope()).ToArray();
        var b = (beta / total).split(stageChannels, 1).Select(t => t.MoveToOuterDisposeScope()).ToArray();
        return (a, b);
    }
}
