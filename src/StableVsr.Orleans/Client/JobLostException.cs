namespace StableVsr.Orleans;

/// <summary>
/// A job that was being followed is gone from the cluster: its store (Redis without persistence) was reset or flushed
/// while the job ran, and the job was lost with it. Outputs it had committed stay; the rest must be submitted again.
/// </summary>
public sealed class JobLostException : ClusterUnavailableException
{
    /// <summary>Creates the exception.</summary>
    public JobLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public JobLostException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
