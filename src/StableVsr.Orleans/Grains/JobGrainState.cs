namespace StableVsr.Orleans.Grains;

/// <summary>A job as its grain persists it (storage <see cref="StableVsrClusterDefaults.StorageName"/>).</summary>
[GenerateSerializer, Alias("StableVsr.JobGrainState")]
internal sealed class JobGrainState
{
    /// <summary>Whether the job was submitted (a grain that was never submitted has default state).</summary>
    [Id(0)]
    public bool Submitted { get; set; }

    [Id(1)]
    public UpscaleJobState State { get; set; }

    [Id(2)]
    public UpscaleJobOptions Options { get; set; } = UpscaleJobOptions.Default;

    [Id(3)]
    public List<SegmentRecord> Segments { get; set; } = [];

    /// <summary>Set by the first lease: every later segment must run with the same model.</summary>
    [Id(4)]
    public string? ModelFingerprint { get; set; }

    [Id(5)]
    public DateTimeOffset SubmittedAt { get; set; }

    [Id(6)]
    public DateTimeOffset? FinishedAt { get; set; }
}
