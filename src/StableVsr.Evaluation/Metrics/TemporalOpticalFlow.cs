using StableVsr.Models.Raft;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>
/// tOF as StableVSR's eval.py computes it: for frames k and k-1, the mean over every pixel and both components of
/// |flow(out_k → out_k-1) - flow(gt_k → gt_k-1)|, in pixels, with RAFT-large (12 updates) fed the [0, 1] frames as they
/// are (eval.py does not map them to [-1, 1]) and normalising each image with its own statistics, as the never
/// eval()-ed RAFT of eval.py does (<see cref="Raft.NormStatistics"/> = PerSample, its default).
/// </summary>
public static class TemporalOpticalFlow
{
    /// <summary>RAFT's updates in eval.py (torchvision's default).</summary>
    public const int FlowUpdates = 12;

    /// <summary>
    /// The flows of a batch of pairs (all four [B, 3, H, W] in [0, 1]); output and ground-truth pairs go through RAFT
    /// in one call, which with per-sample statistics gives exactly the flows of one call per pair.
    /// </summary>
    /// <param name="raft">RAFT-large in float32.</param>
    /// <param name="groundTruth">Ground-truth frames k.</param>
    /// <param name="groundTruthPrevious">Ground-truth frames k-1.</param>
    /// <param name="output">Output frames k.</param>
    /// <param name="outputPrevious">Output frames k-1.</param>
    /// <param name="padToFit">
    /// Pad frames whose sides are not multiples of 8 of at least 128 px (what RAFT needs) by repeating the last row and
    /// column, and crop the flows back. eval.py has no such step (RAFT refuses those sizes there), so results on padded
    /// frames have no reference.
    /// </param>
    /// <exception cref="InvalidInputException">The frames differ in shape, or RAFT cannot take their size and <paramref name="padToFit"/> is false.</exception>
    public static FlowPair Flows(Raft raft, Tensor groundTruth, Tensor groundTruthPrevious, Tensor output, Tensor outputPrevious, bool padToFit = false)
    {
        ArgumentNullException.ThrowIfNull(raft);
        ImageChecks.SamePair(groundTruth, groundTruthPrevious, "tOF");
        ImageChecks.SamePair(groundTruth, output, "tOF");
        ImageChecks.SamePair(groundTruth, outputPrevious, "tOF");
        using var scope = NewDisposeScope();
        var batch = groundTruth.shape[0];
        var (height, width) = (groundTruth.shape[2], groundTruth.shape[3]);
        var device = raft.parameters().First().device;
        var current = cat([output, groundTruth]).to(float32, device);
        var previous = cat([outputPrevious, groundTruthPrevious]).to(float32, device);
        var minSide = raft.Config.MinImageSide;
        var (fitHeight, fitWidth) = (FitSide(height, minSide), FitSide(width, minSide));
        var padded = padToFit && (fitHeight != height || fitWidth != width);
        if (padded)
        {
            long[] padding = [0, fitWidth - width, 0, fitHeight - height];
            current = nn.functional.pad(current, padding, TorchSharp.PaddingModes.Replicate);
            previous = nn.functional.pad(previous, padding, TorchSharp.PaddingModes.Replicate);
        }

        var flow = raft.EstimateFlow(current, previous, FlowUpdates);
        if (padded)
        {
            flow = flow[.., .., ..(int)height, ..(int)width];
        }

        return new FlowPair(flow.narrow(0, batch, batch).contiguous().MoveToOuterDisposeScope(), flow.narrow(0, 0, batch).contiguous().MoveToOuterDisposeScope());
    }

    /// <summary>tOF per pair from the flows: mean |output flow - ground-truth flow|; returns [B].</summary>
    public static Tensor Difference(FlowPair flows)
    {
        ArgumentNullException.ThrowIfNull(flows);
        using var scope = NewDisposeScope();
        return (flows.Output - flows.GroundTruth).abs().mean([1, 2, 3]).MoveToOuterDisposeScope();
    }

    /// <summary>tOF per pair (see <see cref="Flows"/> for the arguments); returns [B].</summary>
    /// <exception cref="InvalidInputException">See <see cref="Flows"/>.</exception>
    public static Tensor Compute(Raft raft, Tensor groundTruth, Tensor groundTruthPrevious, Tensor output, Tensor outputPrevious, bool padToFit = false)
    {
        using var flows = Flows(raft, groundTruth, groundTruthPrevious, output, outputPrevious, padToFit);
        return Difference(flows);
    }

    /// <summary>Whether RAFT-large takes frames of this size as they are: sides divisible by 8 and at least 128 px.</summary>
    public static bool FitsRaft(long height, long width)
    {
        var minSide = new RaftConfig().MinImageSide;
        return FitSide(height, minSide) == height && FitSide(width, minSide) == width;
    }

    private static long FitSide(long side, long minSide) =>
        Math.Max(minSide, (side + RaftConfig.DownsampleFactor - 1) / RaftConfig.DownsampleFactor * RaftConfig.DownsampleFactor);
}
