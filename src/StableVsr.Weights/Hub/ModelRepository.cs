using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StableVsr.Weights.Hub;

/// <summary>
/// Turns a <see cref="ModelReference"/> into a local folder in diffusers layout holding the files a pipeline
/// needs: a local folder is checked as it is; a Hub repository is served from the Hugging Face cache and
/// downloaded into it when files are missing, all from one commit.
/// </summary>
internal partial class ModelRepository : IDisposable
{
    private readonly HubDownloader downloader;
    private readonly ILogger logger;

    /// <summary>Creates a repository over the caches and endpoint of <paramref name="options"/>.</summary>
    /// <param name="options">Cache folders, endpoint, token, offline mode.</param>
    /// <param name="loggerFactory">Creates the loggers of the repository and its downloader; none by default.</param>
    /// <param name="handler">The HTTP handler (see <see cref="HubDownloader"/>); a new one by default.</param>
    public ModelRepository(HubOptions options, ILoggerFactory? loggerFactory = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        logger = loggerFactory.CreateLogger<ModelRepository>();
        downloader = new HubDownloader(options, loggerFactory.CreateLogger<HubDownloader>(), handler);
    }

    /// <summary>The downloader used for Hub references.</summary>
    public HubDownloader Downloader => downloader;

    /// <summary>
    /// Returns a local folder that holds every file of <paramref name="files"/> (paths relative to the model root,
    /// like <c>unet/config.json</c>).
    /// </summary>
    /// <exception cref="ModelLoadException">A local folder lacks files (all are listed).</exception>
    /// <exception cref="HubDownloadException">A Hub file cannot be obtained.</exception>
    public async Task<string> ResolveAsync(ModelReference reference, IEnumerable<string> files, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(files);
        var needed = files.Distinct(StringComparer.Ordinal).ToArray();
        foreach (var file in needed)
        {
            HubDownloader.CheckFilePath(file);
        }

        if (reference.IsLocal)
        {
            var folder = reference.LocalPath!;
            if (!Directory.Exists(folder))
            {
                throw new ModelLoadException($"Model folder '{folder}' does not exist.", folder);
            }

            var missing = needed.Where(f => !File.Exists(Path.Combine(folder, f))).ToArray();
            if (missing.Length > 0)
            {
                throw new ModelLoadException($"Model folder '{folder}' lacks {missing.Length} file(s) the model needs: {string.Join(", ", missing)}.", folder);
            }

            return folder;
        }

        // The first file pins the commit; the others are fetched at that commit, so a push to the branch during
        // the download cannot mix files of two versions.
        var revision = reference.Revision;
        string? snapshot = null;
        foreach (var file in needed)
        {
            var path = await downloader.DownloadAsync(reference.RepoId!, file, revision, progress, cancellationToken).ConfigureAwait(false);
            if (snapshot is null)
            {
                snapshot = SnapshotRoot(path, file);
                revision = Path.GetFileName(snapshot);
            }
        }

        snapshot ??= downloader.Cache.ResolveCommit(reference.RepoId!, revision) is { } commit
            ? downloader.Cache.SnapshotFolder(reference.RepoId!, commit)
            : throw new HubDownloadException($"No files were asked of {reference} and its revision is not in the cache.");
        LogResolved(logger, reference.ToString(), snapshot);
        return snapshot;
    }

    /// <summary>Releases the HTTP client.</summary>
    public void Dispose() => downloader.Dispose();

    private static string SnapshotRoot(string path, string file)
    {
        var root = path;
        foreach (var _ in file.Split('/'))
        {
            root = Path.GetDirectoryName(root)!;
        }

        return root;
    }

    [LoggerMessage(EventId = LoggerEventIds.ModelResolved, Level = LogLevel.Debug, Message = "Model {Reference} resolved to {Folder}.")]
    private static partial void LogResolved(ILogger logger, string reference, string folder);
}
