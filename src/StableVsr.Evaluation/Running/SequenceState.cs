using StableVsr.Evaluation.Metrics;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Running;

/// <summary>
/// What the temporal metrics keep of a sequence between batches: the last frame pair (for tOF) and its LPIPS features
/// (for tLPIPS). Nothing else of a sequence stays in memory.
/// </summary>
internal sealed class SequenceState : IDisposable
{
    public Tensor? GroundTruth { get; private set; }

    public Tensor? Output { get; private set; }

    public LpipsFeatures? GroundTruthFeatures { get; private set; }

    public LpipsFeatures? OutputFeatures { get; private set; }

    /// <summary>Frames evaluated so far in this sequence.</summary>
    public int FramesSeen { get; set; }

    public void KeepFrames(Tensor groundTruth, Tensor output)
    {
        GroundTruth?.Dispose();
        Output?.Dispose();
        (GroundTruth, Output) = (groundTruth, output);
    }

    public void KeepFeatures(LpipsFeatures groundTruth, LpipsFeatures output)
    {
        GroundTruthFeatures?.Dispose();
        OutputFeatures?.Dispose();
        (GroundTruthFeatures, OutputFeatures) = (groundTruth, output);
    }

    public void Dispose()
    {
        GroundTruth?.Dispose();
        Output?.Dispose();
        GroundTruthFeatures?.Dispose();
        OutputFeatures?.Dispose();
    }
}
