using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>diffusers' <c>UpBlock2D</c>: resnets over the map concatenated with each skip connection, then an optional upsampler.</summary>
internal sealed class UpBlock2D : UNetUpBlock
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Upsample2D>? upsamplers;

    /// <summary>Creates the block.</summary>
    /// <param name="numLayers">Resnets (and skip connections consumed).</param>
    /// <param name="inChannels">Width of the skip connection the last resnet consumes.</param>
    /// <param name="outChannels">Width of the block's output.</param>
    /// <param name="prevOutputChannels">Width of the map coming from the previous block.</param>
    /// <param name="addUpsample">Whether the block ends with an upsampler.</param>
    /// <param name="resnet">Resnet settings.</param>
    public UpBlock2D(int numLayers, int inChannels, int outChannels, int prevOutputChannels, bool addUpsample, ResnetSettings resnet)
        : base(nameof(UpBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(i => new ResnetBlock2D(
                (i == 0 ? prevOutputChannels : outChannels) + (i == numLayers - 1 ? inChannels : outChannels),
                outChannels,
                resnet))
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
        foreach (var resnet in resnets)
        {
            hidden = cat([hidden, input.ResidualHiddenStates[--next]], 1);
            hidden = resnet.forward(hidden, input.Temb);
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
