namespace StableVsr;

/// <summary>
/// Base type of every error StableVsr raises on purpose. Its message says what was wrong and what to do.
/// </summary>
public class StableVsrException : Exception
{
    /// <summary>Creates the exception with a message that says what was wrong and what to do.</summary>
    public StableVsrException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public StableVsrException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
