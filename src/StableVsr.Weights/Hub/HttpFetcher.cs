using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace StableVsr.Weights.Hub;

/// <summary>
/// The HTTP side of the Hub and torch hub downloaders: requests with the bearer token (sent to the endpoint's
/// host only), explicit redirect handling, retries with exponential backoff on transient failures (5xx, 408, 429,
/// timeouts, dropped connections) but never on 401/403/404, and resumable downloads into a partial file with
/// HTTP Range.
/// </summary>
internal sealed partial class HttpFetcher : IDisposable
{
    private const int MaxRedirects = 10;
    private const int BufferBytes = 1 << 20;

    private readonly HttpClient http;
    private readonly HubOptions options;
    private readonly ILogger logger;

    public HttpFetcher(HubOptions options, HttpMessageHandler? handler, ILogger logger)
    {
        this.options = options;
        this.logger = logger;
        http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = options.RequestTimeout }, disposeHandler: handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("StableVsr", "0.1"));
    }

    /// <summary>
    /// Sends a HEAD request, retrying transient failures, following redirects within the same host only (a renamed
    /// repository); a redirect to another host (the LFS storage) is returned as is, since it carries the file's
    /// metadata headers. The caller disposes the response.
    /// </summary>
    public Task<(HttpResponseMessage Response, Uri Url)> HeadAsync(Uri url, string? token, string what, CancellationToken cancellationToken) =>
        RetryAsync(what, async _ =>
        {
            var (response, finalUrl) = await SendAsync(HttpMethod.Head, url, token, null, sameHostRedirectsOnly: true, cancellationToken).ConfigureAwait(false);
            if (IsTransient(response.StatusCode))
            {
                response.Dispose();
                throw new TransientHttpException($"{what}: the server answered {(int)response.StatusCode} {response.StatusCode}.", response.StatusCode);
            }

            return (response, finalUrl);
        }, cancellationToken);

    /// <summary>
    /// Downloads <paramref name="url"/> into <paramref name="partialPath"/>, resuming from the bytes already
    /// there; returns when the file holds the whole response (of <paramref name="expectedLength"/> bytes, when known).
    /// </summary>
    public Task DownloadAsync(Uri url, string? token, string partialPath, long? expectedLength, string name, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken) =>
        RetryAsync(name, async _ =>
        {
            await DownloadOnceAsync(url, token, partialPath, expectedLength, name, progress, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Throws the exception that a final, unsuccessful status deserves (transient statuses are retried).</summary>
    public static void EnsureSuccess(HttpResponseMessage response, Uri url, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = response.StatusCode;
        if (IsTransient(status))
        {
            throw new TransientHttpException($"{what}: the server answered {(int)status} {status}.", status);
        }

        throw status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new HubDownloadException(
                $"{what}: access denied ({(int)status} {status}) at {url}. The repository may be private or gated: accept its terms on the Hub and set HF_TOKEN to a token that may read it.", url, status),
            HttpStatusCode.NotFound => new HubDownloadException(
                $"{what}: not found (404) at {url}. Check the repository id, the revision and the file name.", url, status),
            _ => new HubDownloadException($"{what}: the server answered {(int)status} {status} at {url}.", url, status),
        };
    }

    public void Dispose() => http.Dispose();

    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private async Task<T> RetryAsync<T>(string what, Func<int, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var delay = options.InitialBackoff;
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt(number).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken) && number < options.MaxAttempts)
            {
                LogRetry(logger, what, number, options.MaxAttempts, delay.TotalSeconds, e.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                throw new HubDownloadException(
                    $"{what}: failed after {options.MaxAttempts} attempts: {e.Message} Check the network (or set HF_HUB_OFFLINE=1 to use only the cache).",
                    null, (e as TransientHttpException)?.StatusCode, null, e);
            }
        }
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        TransientHttpException => true,
        HttpRequestException => true,
        IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private async Task<(HttpResponseMessage Response, Uri Url)> SendAsync(HttpMethod method, Uri url, string? token, long? rangeStart, bool sameHostRedirectsOnly, CancellationToken cancellationToken)
    {
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, url);
            if (token is not null && SameOrigin(url, options.Endpoint))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            if (rangeStart is > 0)
            {
                request.Headers.Range = new RangeHeaderValue(rangeStart, null);
            }

            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is < 300 or >= 400 || response.Headers.Location is null)
            {
                return (response, url);
            }

            var next = new Uri(url, response.Headers.Location);
            if (hop >= MaxRedirects || (sameHostRedirectsOnly && !SameOrigin(next, url)))
            {
                return (response, url);
            }

            response.Dispose();
            url = next;
        }
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private async Task DownloadOnceAsync(Uri url, string? token, string partialPath, long? expectedLength, string name, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var existing = File.Exists(partialPath) ? new FileInfo(partialPath).Length : 0;
        if (expectedLength is { } expected && existing > expected)
        {
            File.Delete(partialPath);
            existing = 0;
        }

        if (expectedLength is not null && existing == expectedLength)
        {
            return;
        }

        var (response, finalUrl) = await SendAsync(HttpMethod.Get, url, token, existing, sameHostRedirectsOnly: false, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                File.Delete(partialPath);
                throw new TransientHttpException($"{name}: the server refused to resume at byte {existing}; starting again.", response.StatusCode);
            }

            EnsureSuccess(response, finalUrl, name);
            var resumed = response.StatusCode == HttpStatusCode.PartialContent;
            if (resumed && response.Content.Headers.ContentRange?.From != existing)
            {
                File.Delete(partialPath);
                throw new TransientHttpException($"{name}: the server resumed at byte {response.Content.Headers.ContentRange?.From}, not {existing}; starting again.", response.StatusCode);
            }

            var total = expectedLength ?? (resumed ? response.Content.Headers.ContentRange?.Length : response.Content.Headers.ContentLength);
            var received = resumed ? existing : 0;
            if (resumed)
            {
                LogResumed(logger, name, existing);
            }

            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var file = new FileStream(partialPath, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferBytes, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    var buffer = new byte[BufferBytes];
                    while (true)
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        timeout.CancelAfter(options.RequestTimeout);
                        var read = await body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        received += read;
                        progress?.Report(new DownloadProgress(name, received, total));
                    }
                }
            }

            if (total is { } size && received != size)
            {
                throw new TransientHttpException($"{name}: the connection ended after {received} of {size} bytes.", null);
            }
        }
    }

    [LoggerMessage(EventId = LoggerEventIds.DownloadRetry, Level = LogLevel.Warning, Message = "{What}: attempt {Attempt} of {MaxAttempts} failed ({Reason}); retrying in {DelaySeconds:F1} s.")]
    private static partial void LogRetry(ILogger logger, string what, int attempt, int maxAttempts, double delaySeconds, string reason);

    [LoggerMessage(EventId = LoggerEventIds.DownloadResumed, Level = LogLevel.Information, Message = "{Name}: resuming the download at byte {Offset}.")]
    private static partial void LogResumed(ILogger logger, string name, long offset);
}
