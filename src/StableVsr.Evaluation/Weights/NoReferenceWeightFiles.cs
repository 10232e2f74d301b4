using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using StableVsr.Weights.Hub;

namespace StableVsr.Evaluation.Weights;

/// <summary>
/// Finds MUSIQ's and CLIP's weights the way their Python packages do: in their caches, else downloaded there
/// (resumable, atomic; CLIP's checked against OpenAI's sha256, a cached RN50.pt with another hash is fetched again as
/// <c>clip.load</c> does). A metric whose file is not cached and cannot be downloaded is left out: the resolver
/// returns null and says why in one line, never throws for it.
/// </summary>
internal sealed partial class NoReferenceWeightFiles : IDisposable
{
    private readonly NoReferenceCaches caches;
    private readonly HttpFetcher fetcher;
    private readonly ILogger logger;

    public NoReferenceWeightFiles(NoReferenceCaches caches, HubOptions hub, ILogger logger, HttpMessageHandler? handler = null)
    {
        this.caches = caches;
        this.logger = logger;
        fetcher = new HttpFetcher(hub, handler, logger);
    }

    /// <summary>MUSIQ-KonIQ in pyiqa's cache, downloaded when missing; null (and the reason in <paramref name="notes"/>) when it cannot be had.</summary>
    public async Task<string?> MusiqAsync(List<string> notes, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var target = Path.Combine(caches.TorchCheckpoints, NoReferenceWeights.MusiqKoniqFileName);
        if (File.Exists(target))
        {
            return target;
        }

        return await FetchAsync("MUSIQ", caches.MusiqUrl, target, null, "--musiq", notes, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>OpenAI's RN50 in <c>~/.cache/clip</c> with the right sha256, downloaded when missing or different; null (and the reason) when it cannot be had.</summary>
    public async Task<string?> ClipAsync(List<string> notes, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var target = Path.Combine(caches.ClipFolder, NoReferenceWeights.ClipRn50FileName);
        if (File.Exists(target))
        {
            var actual = await Sha256Async(target, cancellationToken).ConfigureAwait(false);
            if (string.Equals(actual, caches.ClipSha256, StringComparison.OrdinalIgnoreCase))
            {
                return target;
            }

            LogClipHashMismatch(logger, target, actual, caches.ClipSha256);
            if (caches.Offline)
            {
                notes.Add($"CLIP-IQA left out: '{target}' has sha256 {actual}, not OpenAI's {caches.ClipSha256}, and downloads are off (HF_HUB_OFFLINE). Replace the file, or give --clip.");
                return null;
            }
        }

        return await FetchAsync("CLIP-IQA", caches.ClipUrl, target, caches.ClipSha256, "--clip", notes, progress, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => fetcher.Dispose();

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexString(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
        }
    }

    private async Task<string?> FetchAsync(string metric, Uri url, string target, string? sha256, string option, List<string> notes, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(target);
        if (caches.Offline)
        {
            notes.Add($"{metric} left out: '{name}' is not in '{Path.GetDirectoryName(target)}' and downloads are off (HF_HUB_OFFLINE). Place it there, or give {option}.");
            return null;
        }

        var partial = target + ".partial";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            LogDownloading(logger, metric, url.ToString(), target);
            await fetcher.DownloadAsync(url, null, partial, null, name, progress, cancellationToken).ConfigureAwait(false);
            if (sha256 is not null)
            {
                var actual = await Sha256Async(partial, cancellationToken).ConfigureAwait(false);
                if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    File.Delete(partial);
                    notes.Add($"{metric} left out: '{name}' downloaded from {url} has sha256 {actual}, not {sha256}; nothing was stored. Try again, or give {option}.");
                    return null;
                }
            }

            File.Move(partial, target, overwrite: true);
            return target;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            notes.Add($"{metric} left out: '{name}' is not in '{Path.GetDirectoryName(target)}' and could not be downloaded from {url} ({e.Message.TrimEnd('.')}). Give {option} with the file.");
            return null;
        }
    }

    [LoggerMessage(EventId = EvaluationEventIds.Downloading, Level = LogLevel.Information, Message = "Downloading the {Metric} weights from {Url} to {Target}.")]
    private static partial void LogDownloading(ILogger logger, string metric, string url, string target);

    [LoggerMessage(EventId = EvaluationEventIds.ClipHashMismatch, Level = LogLevel.Warning, Message = "'{Path}' has sha256 {Actual}, not OpenAI's {Expected}; fetching it again as clip.load does.")]
    private static partial void LogClipHashMismatch(ILogger logger, string path, string actual, string expected);
}
