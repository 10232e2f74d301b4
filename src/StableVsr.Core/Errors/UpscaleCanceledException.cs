namespace StableVsr;

/// <summary>
/// An upscaling run was cancelled through its <see cref="CancellationToken"/>. It stopped within one
/// denoising step and left no partial output file behind. The inner exception is the
/// <see cref="OperationCanceledException"/> that stopped it.
/// </summary>
public class UpscaleCanceledException : StableVsrException
{
    /// <summary>Creates the exception.</summary>
    public UpscaleCanceledException(string message, OperationCanceledException innerException)
        : base(message, innerException)
    {
        CancellationToken = innerException.CancellationToken;
    }

    /// <summary>The token whose cancellation stopped the run.</summary>
    public CancellationToken CancellationToken { get; }
}
