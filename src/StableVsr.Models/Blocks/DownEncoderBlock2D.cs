using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>diffusers' <c>DownEncoderBlock2D</c> (VAE encoder): resnets without time embedding, then an optional downsampler.</summary>
internal sealed class DownEncoderBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    /// <summary>Creates the block.</summary>
    public DownEncoderBlock2D(int numLayers, int inChannels, int outChannels, bool addDownsample, int downsamplePadding, ResnetSettings resnet)
        : base(nameof(DownEncoderBlock2D))
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
    public override Tensor forward(Tensor hiddenStates)
    {
        using var scope = NewDisposeScope();
        var hidden = hiddenStates;
        foreach (var resnet in resnets)
        {
            hidden = resnet.forward(hidden, null);
        }

        if (downsamplers is not null)
        {
            foreach (var downsampler in downsamplers)
            {
                hidden = downsampler.forward(hidden);
            }
        }

        return scope.MoveToOuter(hidden);
    }
}
