using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StableVsr.Weights.Hub;

/// <summary>
/// Fetches weights the way <c>torch.hub.load_state_dict_from_url</c> does (torchvision's RAFT weights among them):
/// into <c>{TORCH_HOME}/hub/checkpoints/{file name}</c>, checking that the file's sha256 starts with the hash
/// prefix torchvision puts in the name (<c>raft_large_C_T_SKHT_V2-ff5fadd5.pth</c> must hash to <c>ff5fadd5...</c>).
/// Downloads resume after interruptions and appear atomically; offline, only the cached file is used.
/// </summary>
internal partial class TorchHubDownloader : IDisposable
{
    private readonly HttpFetcher fetcher;
    private readonly HubOptions options;

    /// <summary>Creates a downloader over <see cref="HubOptions.TorchHome"/> and <see cref="HubOptions.Offline"/>.</summary>
    public TorchHubDownloader(HubOptions options, ILogger<TorchHubDownloader>? logger = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        fetcher = new HttpFetcher(options, handler, (ILogger?)logger ?? NullLogger.Instance);
    }

    /// <summary>The folder weights are cached in: <c>{TorchHome}/hub/checkpoints</c>.</summary>
    public string CheckpointFolder => Path.Combine(options.TorchHome, "hub", "checkpoints");

    /// <summary>The hash prefix in a torchvision file name (<c>ff5fadd5</c> of <c>raft_large_C_T_SKHT_V2-ff5fadd5.pth</c>), or null when it has none.</summary>
    public static string? HashPrefix(string fileName)
    {
        var match = HashPrefixPattern().Match(fileName);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>
    /// Returns the cached file of <paramref name="weights"/>, downloading it when missing (never when offline) and
    /// checking it against the descriptor's <see cref="PretrainedWeights.Sha256Prefix"/>.
    /// </summary>
    /// <exception cref="HubDownloadException">The file is missing while offline, cannot be downloaded, or fails its hash check (nothing is cached then).</exception>
    public Task<string> DownloadAsync(PretrainedWeights weights, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var url = weights.Url ?? throw new ArgumentException($"{weights.Name} is a Hub repository, not a file to download through the torch hub cache.", nameof(weights));
        return DownloadAsync(url.AbsoluteUri, weights.Sha256Prefix, progress, cancellationToken);
    }

    /// <summary>
    /// Returns the cached file for <paramref name="url"/>, downloading it when missing (never when offline); the file must
    /// hash to the prefix in its name when it has one.
    /// </summary>
    /// <exception cref="HubDownloadException">The file is missing while offline, cannot be downloaded, or fails its hash check (nothing is cached then).</exception>
    public Task<string> DownloadAsync(string url, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        DownloadAsync(url, null, progress, cancellationToken);

    private async Task<string> DownloadAsync(string url, string? expectedPrefix, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidInputException($"'{url}' is not an absolute http(s) URL.");
        }

        var name = Path.GetFileName(uri.AbsolutePath);
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidInputException($"'{url}' does not end in a file name.");
        }

        var target = Path.Combine(CheckpointFolder, name);
        if (File.Exists(target))
        {
            return target;
        }

        if (options.Offline)
        {
            throw new HubDownloadException($"'{name}' is not in the torch hub cache at '{CheckpointFolder}', and HF_HUB_OFFLINE is set, so it cannot be downloaded from {url}. Place the file there, or unset HF_HUB_OFFLINE.", uri, path: target);
        }

        Directory.CreateDirectory(CheckpointFolder);
        var partial = target + ".partial";
        await fetcher.DownloadAsync(uri, null, partial, null, name, progress, cancellationToken).ConfigureAwait(false);
        if ((expectedPrefix ?? HashPrefix(name)) is { } prefix)
        {
            var stream = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
            string actual;
            await using (stream.ConfigureAwait(false))
            {
                actual = Convert.ToHexString(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
            }

            if (!actual.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(partial);
                throw new HubDownloadException($"'{name}' from {url} is corrupt: its sha256 {actual} does not start with {prefix}, the hash it was published with. Nothing was stored; try again.", uri, path: target);
            }
        }

        File.Move(partial, target, overwrite: true);
        return target;
    }

    /// <summary>Releases the HTTP client.</summary>
    public void Dispose() => fetcher.Dispose();

    // torch.hub's HASH_REGEX: the hex run after the last '-' and before the extension.
    [GeneratedRegex(@"-([a-f0-9]*)\.")]
    private static partial Regex HashPrefixPattern();
}
