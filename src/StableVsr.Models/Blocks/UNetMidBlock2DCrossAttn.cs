using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>diffusers' <c>UNetMidBlock2DCrossAttn</c> (one layer): resnet, then <see cref="Transformer2DModel"/> and resnet.</summary>
internal sealed class UNetMidBlock2DCrossAttn : nn.Module<DownBlockInput, Tensor>
{
    private const int NumLayers = 1;

    private readonly ModuleList<Transformer2DModel> attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;

    /// <summary>Creates the block over <paramref name="channels"/> channels.</summary>
    public UNetMidBlock2DCrossAttn(int channels, ResnetSettings resnet, CrossAttentionSettings attention)
        : base(nameof(UNetMidBlock2DCrossAttn))
    {
        ArgumentNullException.ThrowIfNull(resnet);
        resnets = nn.ModuleList(Enumerable.Range(0, NumLayers + 1).Select(_ => new ResnetBlock2D(channels, channels, resnet)).ToArray());
        attentions = nn.ModuleList(Enumerable.Range(0, NumLayers).Select(_ => new Transformer2DModel(channels, resnet.Groups, attention)).ToArray());
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(DownBlockInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var hidden = resnets[0].forward(input.HiddenStates, input.Temb);
        for (var i = 0; i < attentions.Count; i++)
        {
            hidden = attentions[i].forward(hidden, input.EncoderHiddenStates);
            hidden = resnets[i + 1].forward(hidden, input.Temb);
        }

        return hidden.MoveToOuterDisposeScope();
    }
}
