namespace StableVsr;

/// <summary>
/// An input given to StableVsr cannot be used: an empty sequence, frames of mixed sizes, a wrong tensor shape,
/// an unreadable image or a bad argument. The message names the input and what was expected.
/// </summary>
public class InvalidInputException : StableVsrException
{
    /// <summary>Creates the exception.</summary>
    public InvalidInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public InvalidInputException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
