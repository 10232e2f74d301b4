namespace StableVsr.Sampling.Segments;

/// <summary>
/// How a long sequence is split into segments that are upscaled independently (on several workers of a cluster, or one
/// after the other): at scene cuts, and into runs of at most <see cref="MaxSegmentFrames"/> frames within a shot, each
/// warmed up with <see cref="Overlap"/> frames of the previous segment so its first frame starts with carried guidance.
/// </summary>
public sealed record SegmentOptions
{
    /// <summary>No splitting: every sequence is one segment (the default).</summary>
    public static SegmentOptions None { get; } = new();

    /// <summary>The most output frames of a segment; null splits only at scene cuts (when asked). Default null.</summary>
    public int? MaxSegmentFrames { get; init; }

    /// <summary>
    /// Warm-up frames before a segment that starts inside a shot: sampled (with the guidance carried through them) but
    /// not written, so the temporal guidance reaches the segment's first frame. Segments that start a shot (the
    /// sequence's start, or a scene cut) have none: guidance across a cut is meaningless. Default 2 (see the segment-border
    /// figures in docs/cluster.md).
    /// </summary>
    public int Overlap { get; init; } = 2;

    /// <summary>Whether scene cuts start new segments (found by <see cref="SceneCutThreshold"/>). Default false.</summary>
    public bool SplitAtSceneCuts { get; init; }

    /// <summary>
    /// The colour-histogram distance between consecutive LR frames (0..1, half the L1 distance of 32-bin per-channel
    /// histograms) above which a scene cut is taken. Default 0.15, measured on ffmpeg's test sources and moving scenes
    /// (docs/cluster.md): motion within a shot stayed at or below 0.03, cuts between shots of different looks at or above 0.28;
    /// two shots with the same colours (or a cut between two mostly black-and-white shots) are not told apart.
    /// </summary>
    public double SceneCutThreshold { get; init; } = 0.15;

    /// <summary>Whether any splitting is asked for.</summary>
    public bool Splits => MaxSegmentFrames is not null || SplitAtSceneCuts;

    /// <summary>Checks the values.</summary>
    /// <exception cref="InvalidInputException">A value is out of range; the message says which.</exception>
    public void Validate()
    {
        if (MaxSegmentFrames is < 1)
        {
            throw new InvalidInputException($"MaxSegmentFrames must be at least 1 frame, or null for no limit (got {MaxSegmentFrames}).");
        }

        if (Overlap < 0)
        {
            throw new InvalidInputException($"The segment overlap must be 0 or more warm-up frames (got {Overlap}).");
        }

        if (SceneCutThreshold is <= 0 or >= 1 || double.IsNaN(SceneCutThreshold))
        {
            throw new InvalidInputException($"SceneCutThreshold must be between 0 and 1, exclusive (got {SceneCutThreshold}).");
        }
    }
}
