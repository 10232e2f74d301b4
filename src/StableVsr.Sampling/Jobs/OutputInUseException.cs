namespace StableVsr.Sampling.Jobs;

/// <summary>
/// A job's output or journal folder is held by another live run (the message names its pid, host and start time): bad
/// input for the command line (exit 2), but a passing state for a cluster worker, which leaves the other run's files
/// alone and lets the segment be retried.
/// </summary>
public sealed class OutputInUseException : InvalidInputException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is in use, by which run, and what to do.</param>
    /// <param name="innerException">The refused open, or null.</param>
    public OutputInUseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
