using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>diffusers' <c>TimestepEmbedding</c>: <c>linear_1</c>, the activation, <c>linear_2</c>.</summary>
internal sealed class TimestepEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear_1;
    private readonly Linear linear_2;
    private readonly Func<Tensor, Tensor> act;

    /// <summary>Maps <paramref name="inChannels"/> sinusoidal features to <paramref name="timeEmbedDim"/>.</summary>
    public TimestepEmbedding(int inChannels, int timeEmbedDim, Func<Tensor, Tensor> activation)
        : base(nameof(TimestepEmbedding))
    {
        linear_1 = nn.Linear(inChannels, timeEmbedDim);
        linear_2 = nn.Linear(timeEmbedDim, timeEmbedDim);
        act = activation;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor sample)
    {
        using var scope = NewDisposeScope();
        var result = linear_2.forward(act(linear_1.forward(sample)));
        return result.MoveToOuterDisposeScope();
    }
}
