using StableVsr.IO;

namespace StableVsr.Sampling.Segments;

/// <summary>
/// Plans a sequence's segments: the shots between scene cuts, each split into runs of at most
/// <see cref="SegmentOptions.MaxSegmentFrames"/> frames of as even a length as possible; a segment that starts inside a
/// shot is warmed up with up to <see cref="SegmentOptions.Overlap"/> frames before it (never across the cut that began
/// its shot). The segments tile the sequence: every frame is the output of exactly one. A split job run in one process
/// and a cluster job plan with this, so a split cluster job is reproduced by one process byte for byte.
/// </summary>
internal static class SegmentPlanner
{
    /// <summary>
    /// Reads a sequence's LR frames once to count them and, when <see cref="SegmentOptions.SplitAtSceneCuts"/> is set,
    /// to find its scene cuts (one frame is held at a time).
    /// </summary>
    /// <exception cref="InvalidInputException">The sequence is missing, empty, corrupt or of mixed frame sizes.</exception>
    public static async Task<SequenceSurvey> SurveyAsync(IFrameSource source, SegmentOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var count = 0;
        var cuts = new List<int>();
        VideoFrame? previous = null;
        await foreach (var frame in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (options.SplitAtSceneCuts && previous is not null && SceneCutDetector.HistogramDistance(previous, frame) > options.SceneCutThreshold)
            {
                cuts.Add(count);
            }

            previous = frame;
            count++;
        }

        if (count == 0)
        {
            throw new InvalidInputException($"The sequence '{source.Description}' has no frames: give at least one frame.");
        }

        return new SequenceSurvey(count, cuts);
    }

    /// <summary>Surveys <paramref name="source"/> and plans its segments (see <see cref="SurveyAsync"/> and <see cref="Plan"/>).</summary>
    /// <exception cref="InvalidInputException">The sequence is missing, empty, corrupt or of mixed frame sizes, or the options are invalid.</exception>
    public static async Task<IReadOnlyList<SequenceRange>> PlanAsync(IFrameSource source, SegmentOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Plan(await SurveyAsync(source, options, cancellationToken).ConfigureAwait(false), options);
    }

    /// <summary>The segments of a surveyed sequence, in frame order; one covering the whole sequence when nothing splits it.</summary>
    /// <exception cref="InvalidInputException">The survey or the options are invalid.</exception>
    public static IReadOnlyList<SequenceRange> Plan(SequenceSurvey survey, SegmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(survey);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (survey.FrameCount < 1)
        {
            throw new InvalidInputException($"A sequence to plan must have at least one frame (got {survey.FrameCount}).");
        }

        var starts = new List<int> { 0 };
        foreach (var cut in options.SplitAtSceneCuts ? survey.Cuts : Array.Empty<int>())
        {
            if (cut <= starts[^1] || cut >= survey.FrameCount)
            {
                throw new InvalidInputException($"Scene cuts must be ascending frame indices between 1 and {survey.FrameCount - 1} (got {string.Join(", ", survey.Cuts)}).");
            }

            starts.Add(cut);
        }

        var ranges = new List<SequenceRange>();
        for (var s = 0; s < starts.Count; s++)
        {
            var (shotStart, shotEnd) = (starts[s], s + 1 < starts.Count ? starts[s + 1] : survey.FrameCount);
            var length = shotEnd - shotStart;
            var pieces = options.MaxSegmentFrames is { } max ? (length + max - 1) / max : 1;
            var start = shotStart;
            for (var p = 0; p < pieces; p++)
            {
                // The first (length % pieces) pieces take one frame more.
                var end = start + (length / pieces) + (p < length % pieces ? 1 : 0);
                ranges.Add(new SequenceRange(start, end, Math.Min(options.Overlap, start - shotStart)));
                start = end;
            }
        }

        return ranges;
    }
}
