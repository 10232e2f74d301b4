namespace StableVsr.Training;

/// <summary>
/// A checkpoint could not be written (disk full, no permission): nothing of it was left behind, and the previous
/// checkpoint is intact. <see cref="PreviousCheckpoint"/> names the one to resume from.
/// </summary>
public sealed class CheckpointWriteException : StableVsrException
{
    /// <summary>Creates the exception.</summary>
    public CheckpointWriteException(string message, string? previousCheckpoint, Exception? innerException)
        : base(message, innerException)
    {
        PreviousCheckpoint = previousCheckpoint;
    }

    /// <summary>The newest complete checkpoint, or null when none was written before.</summary>
    public string? PreviousCheckpoint { get; }
}
