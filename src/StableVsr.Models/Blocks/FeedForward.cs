using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>FeedForward</c> with the GEGLU activation: <c>net.0</c> (GEGLU to 4x width), <c>net.1</c> (dropout,
/// inactive in inference), <c>net.2</c> (linear back to the input width).
/// </summary>
internal sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    private const int Mult = 4;

    private readonly ModuleList<nn.Module<Tensor, Tensor>> net;

    /// <summary>Creates the block for tokens of width <paramref name="dim"/>.</summary>
    public FeedForward(int dim)
        : base(nameof(FeedForward))
    {
        var inner = dim * Mult;
        net = nn.ModuleList<nn.Module<Tensor, Tensor>>(new GEGLU(dim, inner), nn.Dropout(0.0), nn.Linear(inner, dim));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor hiddenStates)
    {
        using var scope = NewDisposeScope();
        var result = hiddenStates;
        foreach (var layer in net)
        {
            result = layer.forward(result);
        }

        return result.MoveToOuterDisposeScope();
    }
}
