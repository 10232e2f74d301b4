namespace StableVsr.Orleans;

/// <summary>
/// No silo of the cluster could be reached for longer than <see cref="UpscaleClusterClient.OutageTolerance"/> while a job
/// was being followed: every worker is stopped, or the network to them is down. The job itself is kept by the cluster's
/// storage and goes on when workers return.
/// </summary>
public class ClusterUnavailableException : StableVsrException
{
    /// <summary>Creates the exception.</summary>
    public ClusterUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public ClusterUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
