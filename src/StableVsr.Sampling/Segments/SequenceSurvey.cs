namespace StableVsr.Sampling.Segments;

/// <summary>What a sequence's plan of segments is made from: its frame count and where its shots begin.</summary>
/// <param name="FrameCount">The frames of the sequence.</param>
/// <param name="Cuts">Indices of the frames that begin a new shot (after a scene cut), ascending; never 0.</param>
internal sealed record SequenceSurvey(int FrameCount, IReadOnlyList<int> Cuts);
