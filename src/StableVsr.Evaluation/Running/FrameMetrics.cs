namespace StableVsr.Evaluation;

/// <summary>The metrics of one output frame against its ground truth (and, for the temporal ones, against the frame before).</summary>
/// <param name="Sequence">The sequence (folder) name.</param>
/// <param name="Index">The frame's position in its sequence, from 0.</param>
/// <param name="GroundTruthName">The ground-truth frame's file name, when it came from a file.</param>
/// <param name="OutputName">The output frame's file name, when it came from a file.</param>
/// <param name="Values">Each computed metric's value; temporal metrics are absent for the first frame of a sequence.</param>
public sealed record FrameMetrics(string Sequence, int Index, string? GroundTruthName, string? OutputName, IReadOnlyDictionary<Metric, double> Values)
{
    /// <summary>The full path of the ground-truth file, when it came from a file (used to draw crops in reports).</summary>
    public string? GroundTruthPath { get; init; }

    /// <summary>The full path of the output file, when it came from a file.</summary>
    public string? OutputPath { get; init; }

    /// <summary>The value of <paramref name="metric"/>, or null when it was not computed or is undefined for this frame.</summary>
    public double? Get(Metric metric) => Values.TryGetValue(metric, out var value) ? value : null;
}
