using StableVsr.Sampling.Flow;
using StableVsr.Sampling.Pipeline;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>
/// The temporal-consistency figure of the sampling suites: the warp error between consecutive output frames (frame k-1
/// warped onto frame k with the sequence's own forward flow, mean |diff|), averaged over the pairs where k starts a block
/// of <c>period</c> frames (a window or segment border) and over the other pairs.
/// </summary>
internal static class ConsecutiveWarpError
{
    /// <summary>The mean warp error of the border pairs and of the interior pairs of <paramref name="frames"/> [N, 3, H, W].</summary>
    public static (double Border, double Interior) Of(Tensor frames, SequenceFlows flows, int period)
    {
        using var scope = NewDisposeScope();
        var errors = Enumerable.Range(1, (int)frames.shape[0] - 1)
            .Select(k => (k, Error: FlowWarp.Warp(frames[(k - 1)..k], flows.Forward(k)).sub(frames[k..(k + 1)]).abs().mean().item<float>()))
            .ToArray();
        return (errors.Where(e => e.k % period == 0).Average(e => e.Error), errors.Where(e => e.k % period != 0).Average(e => e.Error));
    }
}
