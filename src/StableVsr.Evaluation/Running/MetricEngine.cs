using StableVsr.Evaluation.Metrics;
using StableVsr.Models.Raft;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Running;

/// <summary>
/// Computes the chosen metrics for a batch of consecutive frame pairs of one sequence. Each frame's AlexNet features
/// are computed once and serve both LPIPS (against its ground truth) and tLPIPS (against the frame before), where
/// eval.py runs AlexNet six times per frame; the values are the same to float32 rounding.
/// </summary>
internal sealed class MetricEngine : IDisposable
{
    private readonly IReadOnlySet<Metric> metrics;
    private readonly Lpips? lpips;
    private readonly Dists? dists;
    private readonly Raft? raft;
    private readonly bool padForFlow;
    private readonly NoReferenceMetrics? noReference;

    public MetricEngine(IReadOnlyList<Metric> metrics, Device device, Lpips? lpips, Dists? dists, Raft? raft, bool padForFlow, NoReferenceMetrics? noReference = null)
    {
        this.noReference = noReference;
        this.metrics = metrics.ToHashSet();
        Device = device;
        this.lpips = lpips;
        this.dists = dists;
        this.raft = raft;
        this.padForFlow = padForFlow;
    }

    public Device Device { get; }

    /// <summary>
    /// The values of every frame of the batch (ground truth and output [B, 3, H, W] in [0, 1] on <see cref="Device"/>);
    /// temporal values compare each frame with the one before, kept in <paramref name="state"/> across batches. Without
    /// ground truth only the no-reference metrics are computed.
    /// </summary>
    public Dictionary<Metric, double>[] Step(SequenceState state, Tensor? groundTruth, Tensor output)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var batch = (int)output.shape[0];
        var values = Enumerable.Range(0, batch).Select(_ => new Dictionary<Metric, double>()).ToArray();
        noReference?.Score(output, values);
        if (groundTruth is null)
        {
            state.FramesSeen += batch;
            return values;
        }

        // Pairs (k, k-1) in this batch: every frame when the sequence already has a previous frame, else all but the first.
        var first = state.FramesSeen == 0 ? 1 : 0;
        var pairs = batch - first;

        if (metrics.Contains(Metric.Psnr))
        {
            Store(values, 0, Metric.Psnr, Psnr.Compute(groundTruth, output));
        }

        if (metrics.Contains(Metric.Ssim))
        {
            Store(values, 0, Metric.Ssim, Ssim.Compute(groundTruth, output));
        }

        if (lpips is not null)
        {
            var gtFeatures = lpips.Features(groundTruth);
            var outFeatures = lpips.Features(output);
            if (metrics.Contains(Metric.Lpips))
            {
                Store(values, 0, Metric.Lpips, lpips.Distance(gtFeatures.Take(0, batch), outFeatures.Take(0, batch)));
            }

            if (metrics.Contains(Metric.TLpips) && pairs > 0)
            {
                using var gtPrevious = Previous(state.GroundTruthFeatures, gtFeatures, first, pairs);
                using var outPrevious = Previous(state.OutputFeatures, outFeatures, first, pairs);
                var gtChange = lpips.Distance(gtFeatures.Take(first, pairs), gtPrevious.Take(0, pairs));
                var outChange = lpips.Distance(outFeatures.Take(first, pairs), outPrevious.Take(0, pairs));
                Store(values, first, Metric.TLpips, (gtChange - outChange).abs());
            }

            if (metrics.Contains(Metric.TLpips))
            {
                state.KeepFeatures(gtFeatures.Slice(batch - 1, 1).DetachFromDisposeScope(), outFeatures.Slice(batch - 1, 1).DetachFromDisposeScope());
            }

            gtFeatures.Dispose();
            outFeatures.Dispose();
        }

        if (dists is not null)
        {
            Store(values, 0, Metric.Dists, dists.call(groundTruth, output));
        }

        if (raft is not null)
        {
            if (pairs > 0)
            {
                var gtPrevious = PreviousFrames(state.GroundTruth, groundTruth, first, pairs);
                var outPrevious = PreviousFrames(state.Output, output, first, pairs);
                Store(values, first, Metric.Tof, TemporalOpticalFlow.Compute(raft, groundTruth.narrow(0, first, pairs), gtPrevious, output.narrow(0, first, pairs), outPrevious, padForFlow));
            }

            state.KeepFrames(groundTruth.narrow(0, batch - 1, 1).clone().DetachFromDisposeScope(), output.narrow(0, batch - 1, 1).clone().DetachFromDisposeScope());
        }

        state.FramesSeen += batch;
        return values;
    }

    public void Dispose()
    {
        lpips?.Dispose();
        dists?.Dispose();
        raft?.Dispose();
        noReference?.Dispose();
    }

    private static LpipsFeatures Previous(LpipsFeatures? kept, LpipsFeatures batch, int first, int pairs)
    {
        // Frame k's predecessor: this batch's frames up to k-1, after the kept last frame of the previous batch.
        if (first == 1)
        {
            return batch.Slice(0, pairs);
        }

        using var own = batch.Slice(0, pairs - 1);
        return kept!.Concat(own);
    }

    private static Tensor PreviousFrames(Tensor? kept, Tensor batch, int first, int pairs) =>
        first == 1 ? batch.narrow(0, 0, pairs) : cat([kept!, batch.narrow(0, 0, pairs - 1)]);

    private static void Store(Dictionary<Metric, double>[] values, int start, Metric metric, Tensor perFrame)
    {
        var numbers = perFrame.to(float32, CPU).data<float>().ToArray();
        for (var i = 0; i < numbers.Length; i++)
        {
            // eval.py keeps each value as a float32 .item() promoted to float64.
            values[start + i][metric] = numbers[i];
        }
    }
}
