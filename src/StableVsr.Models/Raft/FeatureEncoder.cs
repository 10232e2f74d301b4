using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// RAFT's feature encoder, used both for the matching features (instance norm) and for the context (batch norm):
/// a 7x7 stem, three pairs of residual blocks and a 1x1 output convolution. Input [B, 3, H, W], output
/// [B, layers[4], H/8, W/8].
/// </summary>
internal sealed class FeatureEncoder : nn.Module<Tensor, Tensor>
{
    private static readonly long[] Strides = [2, 1, 2, 2];

    private readonly Sequential convnormrelu;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Conv2d conv;

    /// <summary>Creates the encoder from its five widths.</summary>
    public FeatureEncoder(IReadOnlyList<int> layers, RaftNorm norm)
        : base(nameof(FeatureEncoder))
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count != 5)
        {
            throw new UnsupportedConfigException("layers", layers, detail: "A RAFT feature encoder has exactly 5 widths.");
        }

        convnormrelu = ConvNormActivation.Create(3, layers[0], 7, Strides[0], norm);
        layer1 = TwoBlocks(layers[0], layers[1], norm, Strides[1]);
        layer2 = TwoBlocks(layers[1], layers[2], norm, Strides[2]);
        layer3 = TwoBlocks(layers[2], layers[3], norm, Strides[3]);
        conv = nn.Conv2d(layers[3], layers[4], 1);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = convnormrelu.call(input);
        x = layer1.call(x);
        x = layer2.call(x);
        x = layer3.call(x);
        return conv.call(x).MoveToOuterDisposeScope();
    }

    private static Sequential TwoBlocks(long inChannels, long outChannels, RaftNorm norm, long firstStride) =>
        nn.Sequential(
            new ResidualBlock(inChannels, outChannels, norm, firstStride),
            new ResidualBlock(outChannels, outChannels, norm, 1));
}
