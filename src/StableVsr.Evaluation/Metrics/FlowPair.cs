using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>The RAFT flows of a batch of frame pairs, each [B, 2, H, W], owned until disposed.</summary>
/// <param name="GroundTruth">Flow from each ground-truth frame to its predecessor.</param>
/// <param name="Output">Flow from each output frame to its predecessor.</param>
public sealed record FlowPair(Tensor GroundTruth, Tensor Output) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        GroundTruth.Dispose();
        Output.Dispose();
    }
}
