namespace StableVsr.Orleans;

/// <summary>A job as its job grain last recorded it (persisted, so it survives client, silo and cluster restarts).</summary>
[GenerateSerializer, Immutable, Alias("StableVsr.UpscaleJobStatus")]
public sealed record UpscaleJobStatus
{
    /// <summary>The job's id.</summary>
    [Id(0)]
    public required string JobId { get; init; }

    /// <summary>Where it stands.</summary>
    [Id(1)]
    public UpscaleJobState State { get; init; }

    /// <summary>Its segments, one per sequence, in submission order.</summary>
    [Id(2)]
    public IReadOnlyList<SegmentStatus> Segments { get; init; } = [];

    /// <summary>The options it was submitted with.</summary>
    [Id(3)]
    public UpscaleJobOptions Options { get; init; } = UpscaleJobOptions.Default;

    /// <summary>The fingerprint of the model (files and precision) its segments run with; null before the first starts.</summary>
    [Id(4)]
    public string? ModelFingerprint { get; init; }

    /// <summary>When it was submitted.</summary>
    [Id(5)]
    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>When it finished (succeeded, failed or was cancelled); null while it runs.</summary>
    [Id(6)]
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Whether it has finished: nothing of it runs any more.</summary>
    public bool IsFinished => State is UpscaleJobState.Succeeded or UpscaleJobState.Failed or UpscaleJobState.Cancelled;

    /// <summary>Frames committed over all segments.</summary>
    public int FramesDone => Segments.Sum(s => s.FramesDone);

    /// <summary>Frames over all segments, once every segment's count is known; null before.</summary>
    public int? FrameCount => Segments.All(s => s.FrameCount is not null) ? Segments.Sum(s => s.FrameCount!.Value) : null;

    /// <summary>Segments committed.</summary>
    public int SegmentsDone => Segments.Count(s => s.State == SegmentState.Done);
}
