namespace StableVsr.Orleans;

/// <summary>Where a segment of a job stands.</summary>
public enum SegmentState
{
    /// <summary>Waiting for a free device.</summary>
    Pending,

    /// <summary>Being upscaled by a worker.</summary>
    Running,

    /// <summary>Upscaled; its worker is renaming the finished output into place.</summary>
    Committing,

    /// <summary>Committed: the output is complete in place.</summary>
    Done,

    /// <summary>Given up: bad input, or every attempt was interrupted; its error says why.</summary>
    Failed,
}
