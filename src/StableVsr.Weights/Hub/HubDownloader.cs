using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StableVsr.Weights.Hub;

/// <summary>
/// Fetches files of Hugging Face Hub repositories into the shared cache (<see cref="HuggingFaceCache"/>), the way
/// <c>huggingface_hub.hf_hub_download</c> does: a HEAD on <c>{endpoint}/{repo}/resolve/{revision}/{file}</c> gives
/// the commit (<c>X-Repo-Commit</c>) and the content hash (<c>X-Linked-Etag</c> for LFS files, else <c>ETag</c>); the
/// content is downloaded into <c>blobs/{etag}.incomplete</c> (resumed with HTTP Range after an interruption),
/// checked against its hash (sha256 for LFS files, the git blob sha1 for others), moved atomically to
/// <c>blobs/{etag}</c> and linked from <c>snapshots/{commit}/{file}</c>. Offline (<see cref="HubOptions.Offline"/>)
/// it never touches the network; when the network fails it falls back to a cached copy of the same revision.
/// </summary>
internal partial class HubDownloader : IDisposable
{
    private readonly HttpFetcher fetcher;
    private readonly ILogger logger;

    /// <summary>Creates a downloader.</summary>
    /// <param name="options">Endpoint, token, cache folder, offline mode, retries.</param>
    /// <param name="logger">Receives retries, resumes and cache fallbacks; none by default.</param>
    /// <param name="handler">The HTTP handler to use; it must not follow redirects itself (the downloader reads the Hub's redirect headers). A new <see cref="SocketsHttpHandler"/> by default.</param>
    public HubDownloader(HubOptions options, ILogger<HubDownloader>? logger = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        Cache = new HuggingFaceCache(options.HubCache);
        fetcher = new HttpFetcher(options, handler, this.logger);
    }

    /// <summary>The options in use.</summary>
    public HubOptions Options { get; }

    /// <summary>The cache files land in.</summary>
    public HuggingFaceCache Cache { get; }

    /// <summary>
    /// Returns the local path of <paramref name="file"/> (a path inside the repository, e.g. <c>unet/config.json</c>)
    /// at <paramref name="revision"/>, downloading it into the cache when needed.
    /// </summary>
    /// <exception cref="InvalidInputException">The repository id, revision or file path is malformed.</exception>
    /// <exception cref="HubDownloadException">The file is not cached while offline, the Hub refuses or lacks it, the network fails after every retry, or the content does not match its hash.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; a partial download stays in <c>blobs/</c> to be resumed.</exception>
    public async Task<string> DownloadAsync(string repoId, string file, string revision = "main", IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var reference = ModelReference.Hub(repoId, revision);
        CheckFilePath(file);
        if (HuggingFaceCache.IsCommitHash(revision) && Cache.TryGetFile(repoId, revision, file) is { } pinned)
        {
            return pinned;
        }

        if (Options.Offline)
        {
            return Cache.TryGetFile(repoId, revision, file) ?? throw new HubDownloadException(
                $"'{file}' of {reference} is not in the Hugging Face cache at '{Cache.RepoFolder(repoId)}', and HF_HUB_OFFLINE is set, so it cannot be downloaded. Download it once with network access, or unset HF_HUB_OFFLINE.",
                path: Cache.RepoFolder(repoId));
        }

        HubFileMetadata metadata;
        try
        {
            metadata = await GetMetadataAsync(repoId, revision, file, cancellationToken).ConfigureAwait(false);
        }
        catch (HubDownloadException e) when (e.InnerException is not null && Cache.TryGetFile(repoId, revision, file) is { } cached)
        {
            LogUsingCache(logger, file, reference.ToString(), e.Message);
            return cached;
        }

        var blob = Cache.BlobPath(repoId, metadata.Etag);
        if (!File.Exists(blob))
        {
            await DownloadBlobAsync(metadata, blob, file, progress, cancellationToken).ConfigureAwait(false);
        }

        var pointer = Cache.LinkSnapshot(repoId, metadata.Commit, file, metadata.Etag);
        Cache.WriteRef(repoId, revision, metadata.Commit);
        return pointer;
    }

    /// <summary>Releases the HTTP client.</summary>
    public void Dispose() => fetcher.Dispose();

    /// <summary>Checks that a repository file path is relative and stays inside the repository.</summary>
    internal static void CheckFilePath(string file)
    {
        if (string.IsNullOrEmpty(file) || file.StartsWith('/') || file.Contains('\\', StringComparison.Ordinal) || Path.IsPathRooted(file) ||
            file.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new InvalidInputException($"'{file}' is not a file path inside a repository; use a relative path with '/' separators, like 'unet/config.json'.");
        }
    }

    private async Task<HubFileMetadata> GetMetadataAsync(string repoId, string revision, string file, CancellationToken cancellationToken)
    {
        var url = new Uri($"{Options.Endpoint.AbsoluteUri.TrimEnd('/')}/{repoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");
        var what = $"'{file}' of {repoId}@{revision}";
        var (response, finalUrl) = await fetcher.HeadAsync(url, Options.Token, what, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            var redirected = (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is not null;
            if (!redirected)
            {
                HttpFetcher.EnsureSuccess(response, finalUrl, what);
            }

            var commit = Header(response, "X-Repo-Commit");
            var etag = NormalizeEtag(Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.Tag ?? Header(response, "ETag"));
            var sizeText = Header(response, "X-Linked-Size");
            var size = sizeText is not null && long.TryParse(sizeText, out var linked) ? linked : redirected ? null : response.Content.Headers.ContentLength;
            if (commit is null || !HuggingFaceCache.IsCommitHash(commit))
            {
                throw new HubDownloadException($"{what}: the server at {finalUrl} sent no valid X-Repo-Commit header ('{commit}'); is HF_ENDPOINT a Hugging Face Hub?", finalUrl, response.StatusCode);
            }

            if (etag is null)
            {
                throw new HubDownloadException($"{what}: the server at {finalUrl} sent no usable ETag, so the download cannot be verified or cached.", finalUrl, response.StatusCode);
            }

            var download = redirected ? new Uri(finalUrl, response.Headers.Location!) : finalUrl;
            return new HubFileMetadata(commit, etag, size, download);
        }
    }

    private async Task DownloadBlobAsync(HubFileMetadata metadata, string blob, string file, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        var partial = blob + ".incomplete";
        await fetcher.DownloadAsync(metadata.DownloadUrl, Options.Token, partial, metadata.Size, file, progress, cancellationToken).ConfigureAwait(false);
        var problem = await VerifyAsync(partial, metadata.Etag, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            File.Delete(partial);
            throw new HubDownloadException($"'{file}' from {metadata.DownloadUrl} is corrupt: {problem} Nothing was stored in the cache; try again.", metadata.DownloadUrl, path: blob);
        }

        File.Move(partial, blob, overwrite: true);
    }

    // The Hub names LFS files by their sha256 and other files by their git blob id (sha1 of "blob {size}\0" + bytes);
    // either one proves the bytes are the ones the commit holds.
    private static async Task<string?> VerifyAsync(string path, string etag, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            string actual;
            if (Sha256Pattern().IsMatch(etag))
            {
                actual = Convert.ToHexString(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
            }
            else if (Sha1Pattern().IsMatch(etag))
            {
                using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                sha1.AppendData(Encoding.ASCII.GetBytes($"blob {stream.Length}\0"));
                var buffer = new byte[1 << 20];
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    sha1.AppendData(buffer, 0, read);
                }

                actual = Convert.ToHexString(sha1.GetHashAndReset()).ToLowerInvariant();
            }
            else
            {
                return null;
            }

            return string.Equals(actual, etag, StringComparison.OrdinalIgnoreCase) ? null : $"its hash is {actual}, the Hub announced {etag}.";
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string? NormalizeEtag(string? etag)
    {
        if (etag is null)
        {
            return null;
        }

        var value = etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag;
        value = value.Trim('"');
        return EtagPattern().IsMatch(value) ? value : null;
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[0-9a-fA-F]{40}$")]
    private static partial Regex Sha1Pattern();

    [GeneratedRegex("^[0-9A-Za-z_-]{1,128}$")]
    private static partial Regex EtagPattern();

    [LoggerMessage(EventId = LoggerEventIds.UsingCachedCopy, Level = LogLevel.Warning, Message = "Could not reach the Hub for {File} of {Reference} ({Reason}); using the cached copy.")]
    private static partial void LogUsingCache(ILogger logger, string file, string reference, string reason);
}
