namespace StableVsr.Orleans.Grains;

/// <summary>A job's segments as its grain records them when the job is submitted.</summary>
internal static class SegmentRecords
{
    /// <summary>
    /// One segment per sequence, or, with planned segments, those of each sequence in frame order (a sequence planned as
    /// one segment stays a whole-sequence segment, exactly as without splitting).
    /// </summary>
    /// <exception cref="InvalidInputException">The planned segments do not match the sequences.</exception>
    public static List<SegmentRecord> Plan(IReadOnlyList<SequenceJob> sequences, IReadOnlyList<SegmentRange[]>? planned)
    {
        if (planned is not null && planned.Count != sequences.Count)
        {
            throw new InvalidInputException($"Give the segments of every sequence: {sequences.Count} sequence(s) but {planned.Count} plan(s).");
        }

        var records = new List<SegmentRecord>();
        for (var i = 0; i < sequences.Count; i++)
        {
            var ranges = planned?[i] ?? [];
            if (ranges.Length <= 1)
            {
                records.Add(new SegmentRecord { Index = records.Count, Sequence = sequences[i], FrameCount = ranges.Length == 1 ? ranges[0].End - ranges[0].Start : null });
                continue;
            }

            foreach (var range in ranges)
            {
                records.Add(new SegmentRecord { Index = records.Count, Sequence = sequences[i], Range = range, FrameCount = range.End - range.Start });
            }
        }

        return records;
    }
}
