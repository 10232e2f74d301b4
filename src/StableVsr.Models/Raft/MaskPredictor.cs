using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// Predicts the convex-upsampling weights from the hidden state: [B, 8*8*9, h, w], one 3x3 neighbourhood weight
/// set per pixel of each 8x8 output cell, scaled by the multiplier (0.25) as torchvision does.
/// </summary>
internal sealed class MaskPredictor : nn.Module<Tensor, Tensor>
{
    private readonly Sequential convrelu;
    private readonly Conv2d conv;
    private readonly double multiplier;

    /// <summary>Creates the predictor.</summary>
    public MaskPredictor(long inChannels, long hiddenSize, double multiplier)
        : base(nameof(MaskPredictor))
    {
        convrelu = ConvNormActivation.Create(inChannels, hiddenSize, 3);
        conv = nn.Conv2d(hiddenSize, RaftConfig.DownsampleFactor * RaftConfig.DownsampleFactor * 9, 1, padding: 0L);
        this.multiplier = multiplier;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return conv.call(convrelu.call(input)).Times(multiplier).MoveToOuterDisposeScope();
    }
}
