using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>Downsample2D</c> with a convolution (stride 2, kernel 3). With padding 0 (the VAE encoder) the
/// input is first padded by one pixel on the right and bottom only, as diffusers does; any size is accepted and
/// the output is ceil(size / 2) with padding 1, floor(size / 2) with padding 0.
/// </summary>
internal sealed class Downsample2D : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly bool padRightBottom;

    /// <summary>Creates the layer.</summary>
    public Downsample2D(int channels, int outChannels, int padding)
        : base(nameof(Downsample2D))
    {
        conv = nn.Conv2d(channels, outChannels, 3, stride: 2, padding: padding);
        padRightBottom = padding == 0;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor hiddenStates)
    {
        using var scope = NewDisposeScope();
        var input = padRightBottom ? nn.functional.pad(hiddenStates, [0, 1, 0, 1]) : hiddenStates;
        return conv.forward(input).MoveToOuterDisposeScope();
    }
}
