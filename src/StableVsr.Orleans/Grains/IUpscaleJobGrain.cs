namespace StableVsr.Orleans.Grains;

/// <summary>
/// One submitted job (keyed by its id): plans the segments of its sequences (one each, or several when split), hands segments to workers one lease at a time,
/// tracks their state and persists it, and takes back the segments of workers whose silo died.
/// </summary>
[Alias("StableVsr.IUpscaleJobGrain")]
internal interface IUpscaleJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records the job and its segments: one per sequence, or, with <paramref name="segments"/> (one list per sequence,
    /// when the options split; planned by the submitting client, which reads the frames), those segments.
    /// Submitting the same job again returns its status (so a client may retry).
    /// </summary>
    [Alias("Submit")]
    Task<UpscaleJobStatus> SubmitAsync(IReadOnlyList<SequenceJob> sequences, UpscaleJobOptions options, IReadOnlyList<SegmentRange[]>? segments);

    /// <summary>The job's status; null when no job was submitted under this id.</summary>
    [Alias("GetStatus")]
    Task<UpscaleJobStatus?> GetStatusAsync();

    /// <summary>Hands a pending segment to <paramref name="worker"/>, when the job has one for its model.</summary>
    [Alias("TryLease")]
    Task<LeaseOffer> TryLeaseAsync(WorkerIdentity worker);

    /// <summary>Records a segment's committed frames; false when the lease is no longer the worker's (stop the segment).</summary>
    [Alias("ReportProgress")]
    Task<bool> ReportProgressAsync(Guid leaseId, int framesDone, int? frameCount);

    /// <summary>Asks to commit a finished segment: whether to commit its part or its part and the whole sequence, to wait, or not to (the lease is lost).</summary>
    [Alias("BeginCommit")]
    Task<CommitTurn> BeginCommitAsync(Guid leaseId);

    /// <summary>Records a segment committed (its output renamed into place) with its frame count (negative: the count last reported).</summary>
    [Alias("CompleteSegment")]
    Task CompleteSegmentAsync(Guid leaseId, int frames);

    /// <summary>Records a failed attempt: <paramref name="permanent"/> fails the segment, else it is retried while attempts remain.</summary>
    [Alias("FailSegment")]
    Task FailSegmentAsync(Guid leaseId, string error, bool permanent);

    /// <summary>Gives a segment back (its worker is stopping); the next start continues from its journal.</summary>
    [Alias("ReleaseSegment")]
    Task ReleaseSegmentAsync(Guid leaseId, string reason);

    /// <summary>Cancels the job: no segment starts any more, running ones lose their lease; null when no job has this id.</summary>
    [Alias("Cancel")]
    Task<UpscaleJobStatus?> CancelAsync();
}
