namespace StableVsr.Training;

/// <summary>
/// The loss or the gradient norm became NaN or infinite. Training stopped before the optimizer step, so no checkpoint
/// holds the broken weights; <see cref="LastCheckpoint"/> is the last good one.
/// </summary>
public sealed class TrainingDivergedException : StableVsrException
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string message, long step, string? lastCheckpoint)
        : base(message)
    {
        Step = step;
        LastCheckpoint = lastCheckpoint;
    }

    /// <summary>The optimizer step that diverged (1-based).</summary>
    public long Step { get; }

    /// <summary>The newest checkpoint, or null when none was written.</summary>
    public string? LastCheckpoint { get; }
}
