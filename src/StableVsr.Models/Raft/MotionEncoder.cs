using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// RAFT's motion encoder (part of the update block): encodes the correlation features and the current flow, and
/// appends the flow itself. Output [B, outChannels, h, w], its last two channels being the flow.
/// </summary>
internal sealed class MotionEncoder : nn.Module<MotionEncoderInput, Tensor>
{
    private readonly Sequential convcorr1;
    private readonly Sequential convcorr2;
    private readonly Sequential convflow1;
    private readonly Sequential convflow2;
    private readonly Sequential conv;

    /// <summary>Creates the encoder.</summary>
    public MotionEncoder(int corrChannels, IReadOnlyList<int> corrLayers, IReadOnlyList<int> flowLayers, int outChannels)
        : base(nameof(MotionEncoder))
    {
        ArgumentNullException.ThrowIfNull(corrLayers);
        ArgumentNullException.ThrowIfNull(flowLayers);
        if (corrLayers.Count != 2 || flowLayers.Count != 2)
        {
            throw new UnsupportedConfigException("motion_encoder_layers", corrLayers.Concat(flowLayers).ToArray(), detail: "RAFT-large's motion encoder has two correlation and two flow convolutions.");
        }

        convcorr1 = ConvNormActivation.Create(corrChannels, corrLayers[0], 1);
        convcorr2 = ConvNormActivation.Create(corrLayers[0], corrLayers[1], 3);
        convflow1 = ConvNormActivation.Create(2, flowLayers[0], 7);
        convflow2 = ConvNormActivation.Create(flowLayers[0], flowLayers[1], 3);
        conv = ConvNormActivation.Create(corrLayers[1] + flowLayers[1], outChannels - 2, 3);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(MotionEncoderInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var corr = convcorr2.call(convcorr1.call(input.CorrFeatures));
        var flow = convflow2.call(convflow1.call(input.Flow));
        var corrFlow = conv.call(cat([corr, flow], 1));
        return cat([corrFlow, input.Flow], 1).MoveToOuterDisposeScope();
    }
}
