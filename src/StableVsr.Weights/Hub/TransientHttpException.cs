using System.Net;

namespace StableVsr.Weights.Hub;

/// <summary>A failure worth retrying: a 5xx/408/429 answer, or a download that ended early.</summary>
internal sealed class TransientHttpException : Exception
{
    public TransientHttpException(string message, HttpStatusCode? statusCode)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public HttpStatusCode? StatusCode { get; }
}
