using StableVsr.Sampling.Segments;

namespace StableVsr.Orleans.Grains;

/// <summary>A job's segments as its grain plans them when the job is submitted.</summary>
internal static class SegmentRecords
{
    /// <summary>
    /// One segment per sequence, or, with surveys, the segments <see cref="SegmentPlanner"/> plans for each sequence in
    /// frame order (a sequence planned as one segment stays a whole-sequence segment, exactly as without splitting).
    /// </summary>
    /// <exception cref="InvalidInputException">The surveys do not match the sequences, or the options are invalid.</exception>
    public static List<SegmentRecord> Plan(IReadOnlyList<SequenceJob> sequences, UpscaleJobOptions options, IReadOnlyList<SequenceSurveyRecord>? surveys)
    {
        if (surveys is not null && surveys.Count != sequences.Count)
        {
            throw new InvalidInputException($"Give one survey per sequence: {sequences.Count} sequence(s) but {surveys.Count} survey(s).");
        }

        var records = new List<SegmentRecord>();
        for (var i = 0; i < sequences.Count; i++)
        {
            IReadOnlyList<SequenceRange> ranges = surveys is null ? [] : SegmentPlanner.Plan(surveys[i].ToSurvey(), options.ToSegmentOptions());
            if (ranges.Count <= 1)
            {
                records.Add(new SegmentRecord { Index = records.Count, Sequence = sequences[i], FrameCount = ranges.Count == 1 ? ranges[0].Count : null });
                continue;
            }

            foreach (var range in ranges)
            {
                records.Add(new SegmentRecord { Index = records.Count, Sequence = sequences[i], Range = SegmentRange.From(range), FrameCount = range.Count });
            }
        }

        return records;
    }
}
