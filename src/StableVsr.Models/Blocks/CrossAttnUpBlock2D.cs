using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>CrossAttnUpBlock2D</c>: pairs of resnet (over the map concatenated with a skip connection) and
/// <see cref="Transformer2DModel"/>, then an optional upsampler.
/// </summary>
internal sealed class CrossAttnUpBlock2D : UNetUpBlock
{
    private readonly ModuleList<Transformer2DModel> attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Upsample2D>? upsamplers;

    /// <summary>Creates the block; the channel arguments are those of <see cref="UpBlock2D"/>.</summary>
    public CrossAttnUpBlock2D(int numLayers, int inChannels, int outChannels, int prevOutputChannels, bool addUpsample, ResnetSettings resnet, CrossAttentionSettings attention)
        : base(nameof(CrossAttnUpBlock2D))
    {
        ArgumentNullException.ThrowIfNull(resnet);
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(i => new ResnetBlock2D(
                (i == 0 ? prevOutputChannels : outChannels) + (i == numLayers - 1 ? inChannels : outChannels),
                outChannels,
                resnet))
            .ToArray());
        attentions = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(_ => new Transformer2DModel(outChannels, resnet.Groups, attention))
            .ToArray());
        if (addUpsample)
        {
            upsamplers = nn.ModuleList(new Upsample2D(outChannels, outChannels));
        }

        RegisterComponents();
    }

    /// <inheritdoc/>
    public override int ResidualCount => resnets.Count;

    /// <inheritdoc/>
    public override Tensor forward(UpBlockInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var hidden = input.HiddenStates;
        var next = input.ResidualHiddenStates.Count;
        for (var i = 0; i < resnets.Count; i++)
        {
            hidden = cat([hidden, input.ResidualHiddenStates[--next]], 1);
            hidden = resnets[i].forward(hidden, input.Temb);
            hidden = attentions[i].forward(hidden, input.EncoderHiddenStates);
        }

        if (upsamplers is not null)
        {
            foreach (var upsampler in upsamplers)
            {
                hidden = upsampler.forward(hidden, input.UpsampleSize);
            }
        }

        return scope.MoveToOuter(hidden);
    }
}
