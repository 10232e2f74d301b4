using System.Collections.ObjectModel;
using StableVsr.Evaluation.Summary;

namespace StableVsr.Evaluation;

/// <summary>
/// Everything an evaluation measured: every frame's values, each sequence's means, the overall means exactly as
/// eval.py computes them (the mean over sequences of each sequence's mean, in float64) and eval.py's printed line.
/// </summary>
public sealed class EvaluationResult
{
    private EvaluationResult(IReadOnlyList<Metric> metrics, IReadOnlyList<FrameMetrics> frames, IReadOnlyList<SequenceSummary> sequences, IReadOnlyList<string> notes)
    {
        Metrics = metrics;
        Frames = frames;
        Sequences = sequences;
        Notes = notes;
        Overall = new ReadOnlyDictionary<Metric, double>(metrics.ToDictionary(m => m, m => NumpyMath.Mean(sequences.Select(s => s.Means[m]).ToArray())));
        Rounded = new ReadOnlyDictionary<Metric, double>(metrics.ToDictionary(m => m, m =>
        {
            var info = MetricInfo.Of(m);
            return NumpyMath.Round(info.Scale == 1 ? Overall[m] : Overall[m] * info.Scale, info.Decimals);
        }));
    }

    /// <summary>The metrics computed, in eval.py's order.</summary>
    public IReadOnlyList<Metric> Metrics { get; }

    /// <summary>Every frame's values, sequence by sequence.</summary>
    public IReadOnlyList<FrameMetrics> Frames { get; }

    /// <summary>Each sequence's means, in evaluation order.</summary>
    public IReadOnlyList<SequenceSummary> Sequences { get; }

    /// <summary>What the evaluation had to tell about its input (converted frames, truncated sequences, undefined values).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Per metric, the mean over sequences of the sequence means (unscaled, unrounded).</summary>
    public IReadOnlyDictionary<Metric, double> Overall { get; }

    /// <summary>Per metric, what eval.py prints: the overall mean scaled (tLPIPS x1000, tOF x10) and rounded with <c>np.round</c>.</summary>
    public IReadOnlyDictionary<Metric, double> Rounded { get; }

    /// <summary>
    /// eval.py's summary line for the computed metrics, digit for digit and in its order (e.g.
    /// <c>PSNR: 28.26, SSIM: 0.747, LPIPS: 0.11, DISTS: 0.067, MUSIQ: 37.15, CLIP: 0.448, NIQE: 8.18, tLPIPS: 136.57, tOF: 5.856</c>);
    /// metrics not computed are left out.
    /// </summary>
    public string SummaryLine => string.Join(", ", Metrics.Select(m => $"{MetricInfo.Of(m).Name}: {PythonFloat.Format(Rounded[m])}"));

    /// <summary>Builds the result from frame values (grouped by sequence in order of first appearance).</summary>
    public static EvaluationResult Create(IReadOnlyList<Metric> metrics, IReadOnlyList<FrameMetrics> frames, IReadOnlyList<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(frames);
        var ordered = MetricInfo.All.Select(i => i.Metric).Where(metrics.Contains).ToArray();
        var sequences = frames.GroupBy(f => f.Sequence, StringComparer.Ordinal)
            .Select(g => new SequenceSummary(
                g.Key,
                g.Count(),
                new ReadOnlyDictionary<Metric, double>(ordered.ToDictionary(m => m, m => NumpyMath.Mean(g.Select(f => f.Get(m)).OfType<double>().ToArray())))))
            .ToArray();
        return new EvaluationResult(ordered, frames, sequences, notes ?? []);
    }
}
