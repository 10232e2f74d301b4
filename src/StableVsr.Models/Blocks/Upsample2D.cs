using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>Upsample2D</c> with a convolution: nearest-neighbour x2 (or to an explicit size, which the UNet
/// passes when the sample is not a multiple of its downsampling factor), then a 3x3 convolution.
/// </summary>
internal sealed class Upsample2D : nn.Module<Tensor, long[]?, Tensor>
{
    private readonly Conv2d conv;

    /// <summary>Creates the layer.</summary>
    public Upsample2D(int channels, int outChannels)
        : base(nameof(Upsample2D))
    {
        conv = nn.Conv2d(channels, outChannels, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>Upsamples by 2, or to <paramref name="outputSize"/> (height, width) when given.</summary>
    public override Tensor forward(Tensor hiddenStates, long[]? outputSize)
    {
        using var scope = NewDisposeScope();

        // upsample_nearest2d has no bfloat16 kernel in some builds; diffusers goes through float32 the same way.
        var dtype = hiddenStates.dtype;
        var input = dtype == ScalarType.BFloat16 ? hiddenStates.to_type(ScalarType.Float32) : hiddenStates;
        var upsampled = outputSize is null
            ? nn.functional.interpolate(input, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest)
            : nn.functional.interpolate(input, size: outputSize, mode: InterpolationMode.Nearest);
        if (dtype == ScalarType.BFloat16)
        {
            upsampled = upsampled.to_type(dtype);
        }

        return conv.forward(upsampled).MoveToOuterDisposeScope();
    }
}
