using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>CrossAttnDownBlock2D</c>: pairs of resnet and <see cref="Transformer2DModel"/>, then an optional
/// downsampler; the output of every pair and of the downsampler is a skip connection.
/// </summary>
internal sealed class CrossAttnDownBlock2D : UNetDownBlock
{
    private readonly ModuleList<Transformer2DModel> attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    /// <summary>Creates the block.</summary>
    public CrossAttnDownBlock2D(int numLayers, int inChannels, int outChannels, bool addDownsample, int downsamplePadding, ResnetSettings resnet, CrossAttentionSettings attention)
        : base(nameof(CrossAttnDownBlock2D))
    {
        ArgumentNullException.ThrowIfNull(resnet);
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, resnet))
            .ToArray());
        attentions = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(_ => new Transformer2DModel(outChannels, resnet.Groups, attention))
            .ToArray());
        if (addDownsample)
        {
            downsamplers = nn.ModuleList(new Downsample2D(outChannels, outChannels, downsamplePadding));
        }

        RegisterComponents();
    }

    /// <inheritdoc/>
    public override DownBlockOutput forward(DownBlockInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var hidden = input.HiddenStates;
        var outputs = new List<Tensor>();
        for (var i = 0; i < resnets.Count; i++)
        {
            hidden = resnets[i].forward(hidden, input.Temb);
            hidden = attentions[i].forward(hidden, input.EncoderHiddenStates);
            outputs.Add(hidden);
        }

        if (downsamplers is not null)
        {
            foreach (var downsampler in downsamplers)
            {
                hidden = downsampler.forward(hidden);
            }

            outputs.Add(hidden);
        }

        scope.MoveToOuter(outputs);
        return new DownBlockOutput(hidden, outputs);
    }
}
