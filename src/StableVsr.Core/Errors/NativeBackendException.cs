namespace StableVsr;

/// <summary>
/// TorchSharp's native backend (libtorch and libLibTorchSharp) could not be loaded or lacks the requested
/// device. The message names the library or symbol that failed and how to fix it.
/// </summary>
public class NativeBackendException : StableVsrException
{
    /// <summary>Creates the exception.</summary>
    public NativeBackendException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
