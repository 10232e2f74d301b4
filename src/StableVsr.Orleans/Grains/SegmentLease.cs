namespace StableVsr.Orleans.Grains;

/// <summary>A segment handed to one worker: what to upscale, how, and the lease that proves the worker still holds it.</summary>
[GenerateSerializer, Immutable, Alias("StableVsr.SegmentLease")]
internal sealed record SegmentLease
{
    /// <summary>The lease; only its holder may report progress, commit or fail the segment.</summary>
    [Id(0)]
    public Guid LeaseId { get; init; }

    /// <summary>The job.</summary>
    [Id(1)]
    public required string JobId { get; init; }

    /// <summary>The segment's index in the job.</summary>
    [Id(2)]
    public int Index { get; init; }

    /// <summary>What to upscale and where to.</summary>
    [Id(3)]
    public required SequenceJob Sequence { get; init; }

    /// <summary>The job's options.</summary>
    [Id(4)]
    public required UpscaleJobOptions Options { get; init; }

    /// <summary>Which start of the segment this is (1: the first; later ones continue from the segment's journal).</summary>
    [Id(5)]
    public int Attempt { get; init; }

    /// <summary>The frames of the sequence to upscale when it is split; null for the whole sequence.</summary>
    [Id(6)]
    public SegmentRange? Range { get; init; }
}
