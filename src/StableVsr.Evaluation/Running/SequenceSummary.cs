namespace StableVsr.Evaluation;

/// <summary>One sequence's means, as eval.py computes them before averaging over sequences.</summary>
/// <param name="Name">The sequence (folder) name.</param>
/// <param name="FrameCount">The frame pairs evaluated.</param>
/// <param name="Means">Per metric, <c>np.mean</c> of the sequence's values (NaN for a temporal metric of a one-frame sequence).</param>
public sealed record SequenceSummary(string Name, int FrameCount, IReadOnlyDictionary<Metric, double> Means);
