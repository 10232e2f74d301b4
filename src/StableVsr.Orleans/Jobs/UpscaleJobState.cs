namespace StableVsr.Orleans;

/// <summary>Where a job stands.</summary>
public enum UpscaleJobState
{
    /// <summary>Submitted; no segment has started yet.</summary>
    Queued,

    /// <summary>At least one segment has started and some are not finished.</summary>
    Running,

    /// <summary>Every segment is committed to its output.</summary>
    Succeeded,

    /// <summary>Every segment has finished, and at least one failed (its error says why); the others are committed.</summary>
    Failed,

    /// <summary>Cancelled by a client; committed outputs stay, running segments stop within one denoising step.</summary>
    Cancelled,
}
