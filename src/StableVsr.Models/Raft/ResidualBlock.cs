using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// torchvision's RAFT residual block: two 3x3 conv-norm-ReLU layers, a 1x1 projection of the input when the block
/// strides, and a ReLU after the sum. Input [B, in, H, W], output [B, out, H/stride, W/stride].
/// </summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential convnormrelu1;
    private readonly Sequential convnormrelu2;
    private readonly nn.Module<Tensor, Tensor> downsample;
    private readonly ReLU relu;

    /// <summary>Creates the block.</summary>
    public ResidualBlock(long inChannels, long outChannels, RaftNorm norm, long stride = 1)
        : base(nameof(ResidualBlock))
    {
        convnormrelu1 = ConvNormActivation.Create(inChannels, outChannels, 3, stride, norm);
        convnormrelu2 = ConvNormActivation.Create(outChannels, outChannels, 3, 1, norm);
        downsample = stride == 1
            ? nn.Identity()
            : ConvNormActivation.Create(inChannels, outChannels, 1, stride, norm, activation: false);
        relu = nn.ReLU();
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var y = convnormrelu2.call(convnormrelu1.call(input));
        var result = relu.call(downsample.call(input).Plus(y));
        return result.MoveToOuterDisposeScope();
    }
}
