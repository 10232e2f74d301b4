namespace StableVsr.Training;

/// <summary>
/// Training was cancelled (Ctrl+C). The state after the last finished optimizer step was saved as a checkpoint first
/// (unless that step already had one); resume from <see cref="Checkpoint"/> with <c>ResumeFrom = "latest"</c>.
/// </summary>
public sealed class TrainingCanceledException : StableVsrException
{
    /// <summary>Creates the exception.</summary>
    public TrainingCanceledException(string message, string? checkpoint, OperationCanceledException innerException)
        : base(message, innerException)
    {
        Checkpoint = checkpoint;
    }

    /// <summary>The checkpoint that holds the state at cancellation, or null when no step had finished.</summary>
    public string? Checkpoint { get; }
}
