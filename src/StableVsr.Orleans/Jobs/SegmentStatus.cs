namespace StableVsr.Orleans;

/// <summary>A segment of a job as its job grain last recorded it.</summary>
[GenerateSerializer, Immutable, Alias("StableVsr.SegmentStatus")]
public sealed record SegmentStatus
{
    /// <summary>The segment's position in the job (0-based).</summary>
    [Id(0)]
    public int Index { get; init; }

    /// <summary>The sequence it upscales (all of it, or the frames of <see cref="Range"/>).</summary>
    [Id(1)]
    public required SequenceJob Sequence { get; init; }

    /// <summary>Where it stands.</summary>
    [Id(2)]
    public SegmentState State { get; init; }

    /// <summary>How many times it was started (more than 1: it was retried, continuing from its journal).</summary>
    [Id(3)]
    public int Attempts { get; init; }

    /// <summary>The worker running it (or that ran it last): silo address and device.</summary>
    [Id(4)]
    public string? Worker { get; init; }

    /// <summary>Frames committed to its output so far.</summary>
    [Id(5)]
    public int FramesDone { get; init; }

    /// <summary>Its frame count, once a worker has read it; null before.</summary>
    [Id(6)]
    public int? FrameCount { get; init; }

    /// <summary>Why it failed, or why its last attempt was interrupted; null when nothing went wrong.</summary>
    [Id(7)]
    public string? Error { get; init; }

    /// <summary>Every start, oldest first: the worker and how the attempt ended.</summary>
    [Id(8)]
    public IReadOnlyList<string> History { get; init; } = [];

    /// <summary>The frames of the sequence it upscales when the sequence is split; null when it is the whole sequence.</summary>
    [Id(9)]
    public SegmentRange? Range { get; init; }
}
