using System.Net;

namespace StableVsr.Weights.Hub;

/// <summary>
/// A model file could not be obtained: the Hub refused or lacked it, the network failed after every retry, the
/// content did not match its hash, or the file is missing while offline. Nothing partial was left in the cache
/// under the file's final name.
/// </summary>
public class HubDownloadException : ModelLoadException
{
    /// <summary>Creates the exception; <paramref name="url"/> and <paramref name="statusCode"/> when a response caused it.</summary>
    public HubDownloadException(string message, Uri? url = null, HttpStatusCode? statusCode = null, string? path = null, Exception? innerException = null)
        : base(message, path, innerException)
    {
        Url = url;
        StatusCode = statusCode;
    }

    /// <summary>The URL that failed, when there was one.</summary>
    public Uri? Url { get; }

    /// <summary>The HTTP status that caused the failure, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }
}
