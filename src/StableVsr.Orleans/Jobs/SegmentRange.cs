using StableVsr.Sampling.Segments;

namespace StableVsr.Orleans;

/// <summary>
/// The frames of a sequence one segment upscales, when the sequence is split (see
/// <see cref="UpscaleJobOptions.MaxSegmentFrames"/>): frames [<see cref="Start"/>, <see cref="End"/>) are its output,
/// and the <see cref="WarmUp"/> frames before them are sampled first and not written.
/// </summary>
[GenerateSerializer, Immutable, Alias("StableVsr.SegmentRange")]
public sealed record SegmentRange
{
    /// <summary>Index in the sequence of the segment's first output frame.</summary>
    [Id(0)]
    public int Start { get; init; }

    /// <summary>Index of the frame after its last output frame (exclusive).</summary>
    [Id(1)]
    public int End { get; init; }

    /// <summary>Frames before <see cref="Start"/> sampled but not written (0 at the sequence's start and after a scene cut).</summary>
    [Id(2)]
    public int WarmUp { get; init; }

    /// <summary>The range as <c>[start, end) warm-up n</c>.</summary>
    public override string ToString() => ToSequenceRange().ToString();

    internal static SegmentRange From(SequenceRange range) => new() { Start = range.Start, End = range.End, WarmUp = range.WarmUp };

    internal SequenceRange ToSequenceRange() => new(Start, End, WarmUp);
}
