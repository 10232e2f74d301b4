namespace StableVsr.Models.Raft;

/// <summary>
/// The hyper-parameters of torchvision's RAFT. RAFT checkpoints ship without a config file, so every default
/// is that of <c>torchvision.models.optical_flow.raft_large()</c>: <c>new RaftConfig()</c> is RAFT-large.
/// </summary>
public sealed record RaftConfig
{
    /// <summary>The feature and context encoders downsample by this factor (strides 2, 1, 2, 2).</summary>
    public const int DownsampleFactor = 8;

    /// <summary>Widths of the feature encoder: stem, layer1, layer2, layer3 and the output convolution.</summary>
    public IReadOnlyList<int> FeatureEncoderLayers { get; init; } = [64, 64, 96, 128, 256];

    /// <summary>Normalisation of the feature encoder (instance norm in raft_large).</summary>
    public RaftNorm FeatureEncoderNorm { get; init; } = RaftNorm.Instance;

    /// <summary>Widths of the context encoder; its output holds the initial hidden state and the context.</summary>
    public IReadOnlyList<int> ContextEncoderLayers { get; init; } = [64, 64, 96, 128, 256];

    /// <summary>Normalisation of the context encoder (batch norm in raft_large; see <see cref="Raft.NormStatistics"/>).</summary>
    public RaftNorm ContextEncoderNorm { get; init; } = RaftNorm.Batch;

    /// <summary>Levels of the correlation pyramid.</summary>
    public int CorrLevels { get; init; } = 4;

    /// <summary>Radius (infinity norm) of the neighbourhood looked up at each pyramid level.</summary>
    public int CorrRadius { get; init; } = 4;

    /// <summary>Widths of the two convolutions of the motion encoder over the correlation features.</summary>
    public IReadOnlyList<int> MotionEncoderCorrLayers { get; init; } = [256, 192];

    /// <summary>Widths of the two convolutions of the motion encoder over the current flow.</summary>
    public IReadOnlyList<int> MotionEncoderFlowLayers { get; init; } = [128, 64];

    /// <summary>Output width of the motion encoder, the two flow channels it appends included.</summary>
    public int MotionEncoderOutChannels { get; init; } = 128;

    /// <summary>Width of the recurrent unit's hidden state.</summary>
    public int HiddenStateSize { get; init; } = 128;

    /// <summary>Hidden width of the flow head.</summary>
    public int FlowHeadHiddenSize { get; init; } = 256;

    /// <summary>Hidden width of the mask predictor used by convex upsampling.</summary>
    public int MaskPredictorHiddenSize { get; init; } = 256;

    /// <summary>Scale of the predicted mask logits (0.25 in RAFT, originally to damp that branch's gradients).</summary>
    public double MaskMultiplier { get; init; } = 0.25;

    /// <summary>Recurrent updates when the caller does not say (12 in torchvision and StableVSR).</summary>
    public int NumFlowUpdates { get; init; } = 12;

    /// <summary>Channels of the correlation features: one (2r+1)^2 window per pyramid level.</summary>
    public int CorrChannels => CorrLevels * (2 * CorrRadius + 1) * (2 * CorrRadius + 1);

    /// <summary>Channels of the context passed to the recurrent unit (the context encoder's output minus the hidden state).</summary>
    public int ContextChannels => ContextEncoderLayers[^1] - HiddenStateSize;

    /// <summary>
    /// Smallest image side the pyramid supports (128 for raft_large). The coarsest level must be at least 2 pixels
    /// wide: lookups normalise coordinates by (size - 1), so a 1-pixel level turns the whole flow into NaN.
    /// </summary>
    public int MinImageSide => DownsampleFactor * 2 * (1 << (CorrLevels - 1));

    /// <summary>Checks that the values describe a network this port builds.</summary>
    /// <exception cref="UnsupportedConfigException">A value is outside what RAFT-large's blocks implement.</exception>
    public void Validate()
    {
        CheckLayers(nameof(FeatureEncoderLayers), FeatureEncoderLayers, 5);
        CheckLayers(nameof(ContextEncoderLayers), ContextEncoderLayers, 5);
        CheckLayers(nameof(MotionEncoderCorrLayers), MotionEncoderCorrLayers, 2);
        CheckLayers(nameof(MotionEncoderFlowLayers), MotionEncoderFlowLayers, 2);
        CheckPositive(nameof(CorrLevels), CorrLevels);
        CheckPositive(nameof(CorrRadius), CorrRadius);
        CheckPositive(nameof(HiddenStateSize), HiddenStateSize);
        CheckPositive(nameof(FlowHeadHiddenSize), FlowHeadHiddenSize);
        CheckPositive(nameof(MaskPredictorHiddenSize), MaskPredictorHiddenSize);
        CheckPositive(nameof(NumFlowUpdates), NumFlowUpdates);
        if (CorrLevels > 16)
        {
            throw new UnsupportedConfigException(nameof(CorrLevels), CorrLevels, detail: "At most 16 pyramid levels are supported.");
        }

        if (MotionEncoderOutChannels <= 2)
        {
            throw new UnsupportedConfigException(nameof(MotionEncoderOutChannels), MotionEncoderOutChannels, detail: "It includes the 2 flow channels, so it must be larger than 2.");
        }

        if (ContextChannels <= 0)
        {
            throw new UnsupportedConfigException(nameof(ContextEncoderLayers), ContextEncoderLayers, detail: $"The context encoder's last width must exceed HiddenStateSize ({HiddenStateSize}).");
        }

        if (!double.IsFinite(MaskMultiplier))
        {
            throw new UnsupportedConfigException(nameof(MaskMultiplier), MaskMultiplier, detail: "Expected a finite number.");
        }
    }

    private static void CheckLayers(string key, IReadOnlyList<int> layers, int count)
    {
        if (layers is null || layers.Count != count || layers.Any(l => l <= 0))
        {
            throw new UnsupportedConfigException(key, layers, detail: $"Expected {count} positive widths.");
        }
    }

    private static void CheckPositive(string key, int value)
    {
        if (value <= 0)
        {
            throw new UnsupportedConfigException(key, value, detail: "Expected a positive integer.");
        }
    }
}
