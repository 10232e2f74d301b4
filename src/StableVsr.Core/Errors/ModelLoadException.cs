namespace StableVsr;

/// <summary>
/// A model or checkpoint could not be loaded: a missing or corrupt file, an invalid config, missing or
/// mismatched weights, a failed download. <see cref="Path"/> names the file or folder when one is known.
/// </summary>
public class ModelLoadException : StableVsrException
{
    /// <summary>Creates the exception.</summary>
    public ModelLoadException(string message, string? path = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The file or folder the problem was found in, when known.</summary>
    public string? Path { get; }
}
