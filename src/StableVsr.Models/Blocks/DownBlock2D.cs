using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>diffusers' <c>DownBlock2D</c>: resnets, then an optional strided-convolution downsampler; every output is a skip connection.</summary>
internal sealed class DownBlock2D : UNetDownBlock
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    /// <summary>Creates the block.</summary>
    public DownBlock2D(int numLayers, int inChannels, int outChannels, bool addDownsample, int downsamplePadding, ResnetSettings resnet)
        : base(nameof(DownBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, resnet))
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
        foreach (var resnet in resnets)
        {
            hidden = resnet.forward(hidden, input.Temb);
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
