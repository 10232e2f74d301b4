using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>diffusers' <c>UpDecoderBlock2D</c> (VAE decoder): resnets without time embedding, then an optional x2 upsampler.</summary>
internal sealed class UpDecoderBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Upsample2D>? upsamplers;

    /// <summary>Creates the block.</summary>
    public UpDecoderBlock2D(int numLayers, int inChannels, int outChannels, bool addUpsample, ResnetSettings resnet)
        : base(nameof(UpDecoderBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, resnet))
            .ToArray());
        if (addUpsample)
        {
            upsamplers = nn.ModuleList(new Upsample2D(outChannels, outChannels));
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

        if (upsamplers is not null)
        {
            foreach (var upsampler in upsamplers)
            {
                hidden = upsampler.forward(hidden, null);
            }
        }

        return scope.MoveToOuter(hidden);
    }
}
