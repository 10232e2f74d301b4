namespace StableVsr.Orleans;

/// <summary>The event ids of this library's log messages, in one place (StableVsr.Orleans: 5000-5999).</summary>
internal static class LoggerEventIds
{
    /// <summary>A job was submitted.</summary>
    public const int JobSubmitted = 5000;

    /// <summary>A segment was leased to a worker.</summary>
    public const int SegmentLeased = 5001;

    /// <summary>A segment was committed.</summary>
    public const int SegmentCommitted = 5002;

    /// <summary>A segment failed (for now or for good).</summary>
    public const int SegmentFailed = 5003;

    /// <summary>A worker's silo died and its segment goes back to the queue.</summary>
    public const int WorkerSiloDied = 5004;

    /// <summary>A worker started on a device.</summary>
    public const int WorkerStarted = 5100;

    /// <summary>A worker runs a segment.</summary>
    public const int WorkerRunningSegment = 5101;

    /// <summary>A worker could not ask for work and retries.</summary>
    public const int WorkerLeaseFailed = 5102;

    /// <summary>A segment failed on this worker.</summary>
    public const int WorkerSegmentFailed = 5103;

    /// <summary>The job grain could not be told about a segment.</summary>
    public const int WorkerReportFailed = 5104;

    /// <summary>A segment's job was lost with the store and its staging removed.</summary>
    public const int WorkerStagingRemoved = 5105;
}
