using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>UNetMidBlock2D</c> as the VAE builds it (one layer, no time embedding): resnet, then a
/// single-head self-attention over all pixels (group norm, residual) and resnet.
/// </summary>
internal sealed class UNetMidBlock2D : nn.Module<Tensor, Tensor>
{
    private const int NumLayers = 1;

    private readonly ModuleList<Attention> attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;

    /// <summary>Creates the block over <paramref name="channels"/> channels.</summary>
    /// <param name="channels">Width of the map.</param>
    /// <param name="resnet">Resnet settings; the attention's group norm uses the same groups and epsilon.</param>
    /// <param name="headDim">Width of each attention head; diffusers' VAE passes the full width (one head).</param>
    public UNetMidBlock2D(int channels, ResnetSettings resnet, int headDim)
        : base(nameof(UNetMidBlock2D))
    {
        ArgumentNullException.ThrowIfNull(resnet);
        resnets = nn.ModuleList(Enumerable.Range(0, NumLayers + 1).Select(_ => new ResnetBlock2D(channels, channels, resnet)).ToArray());
        attentions = nn.ModuleList(Enumerable.Range(0, NumLayers)
            .Select(_ => new Attention(new AttentionOptions(
                channels,
                channels / headDim,
                headDim,
                Bias: true,
                NormGroups: resnet.Groups,
                NormEps: resnet.Eps,
                ResidualConnection: true,
                RescaleOutputFactor: resnet.OutputScaleFactor)))
            .ToArray());
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor hiddenStates)
    {
        using var scope = NewDisposeScope();
        var hidden = resnets[0].forward(hiddenStates, null);
        for (var i = 0; i < attentions.Count; i++)
        {
            hidden = attentions[i].forward(hidden, null);
            hidden = resnets[i + 1].forward(hidden, null);
        }

        return hidden.MoveToOuterDisposeScope();
    }
}
