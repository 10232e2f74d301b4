using System.Text.RegularExpressions;

namespace StableVsr.Weights.Hub;

/// <summary>
/// The Hugging Face cache layout that Python's <c>huggingface_hub</c> writes and reads, so models downloaded by
/// either are shared: <c>{cache}/models--{owner}--{name}/</c> holds <c>refs/{revision}</c> (a commit hash),
/// <c>blobs/{etag}</c> (file contents, named by the Hub's ETag: sha256 for LFS files) and
/// <c>snapshots/{commit}/{file}</c> (relative symlinks to the blobs, or copies where symlinks are unavailable).
/// </summary>
internal partial class HuggingFaceCache
{
    /// <summary>Uses the cache folder <paramref name="hubCache"/> (see <see cref="HubOptions.HubCache"/>).</summary>
    public HuggingFaceCache(string hubCache)
    {
        ArgumentException.ThrowIfNullOrEmpty(hubCache);
        Root = Path.GetFullPath(hubCache);
    }

    /// <summary>The cache folder.</summary>
    public string Root { get; }

    /// <summary>Whether <paramref name="revision"/> is a full commit hash (40 hex digits).</summary>
    public static bool IsCommitHash(string revision) => CommitPattern().IsMatch(revision);

    /// <summary>The folder of a model repository: <c>{Root}/models--owner--name</c>.</summary>
    public string RepoFolder(string repoId) => Path.Combine(Root, "models--" + repoId.Replace("/", "--", StringComparison.Ordinal));

    /// <summary>The snapshot folder of a commit.</summary>
    public string SnapshotFolder(string repoId, string commit) => Path.Combine(RepoFolder(repoId), "snapshots", commit);

    /// <summary>The path of a blob.</summary>
    public string BlobPath(string repoId, string etag) => Path.Combine(RepoFolder(repoId), "blobs", etag);

    /// <summary>The commit a revision points to: the revision itself when it is a commit hash, else the content of <c>refs/{revision}</c>; null when unknown.</summary>
    public string? ResolveCommit(string repoId, string revision)
    {
        if (IsCommitHash(revision))
        {
            return revision;
        }

        var reference = Path.Combine(RepoFolder(repoId), "refs", revision);
        if (!File.Exists(reference))
        {
            return null;
        }

        var commit = File.ReadAllText(reference).Trim();
        return IsCommitHash(commit) ? commit : null;
    }

    /// <summary>The cached path of <paramref name="file"/> at <paramref name="revision"/>, or null when it is not cached.</summary>
    public string? TryGetFile(string repoId, string revision, string file)
    {
        var commit = ResolveCommit(repoId, revision);
        if (commit is null)
        {
            return null;
        }

        var path = Path.Combine(SnapshotFolder(repoId, commit), file);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Records that <paramref name="revision"/> (a branch or tag) points to <paramref name="commit"/>.</summary>
    public void WriteRef(string repoId, string revision, string commit)
    {
        if (revision == commit)
        {
            return;
        }

        var reference = Path.Combine(RepoFolder(repoId), "refs", revision);
        Directory.CreateDirectory(Path.GetDirectoryName(reference)!);
        var temporary = reference + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, commit);
        File.Move(temporary, reference, overwrite: true);
    }

    /// <summary>
    /// Makes <c>snapshots/{commit}/{file}</c> point to the blob <paramref name="etag"/>: a relative symlink as
    /// huggingface_hub makes, or a copy where the file system refuses symlinks. Returns the snapshot path.
    /// </summary>
    public string LinkSnapshot(string repoId, string commit, string file, string etag)
    {
        var blob = BlobPath(repoId, etag);
        var pointer = Path.Combine(SnapshotFolder(repoId, commit), file);
        var folder = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(folder);
        if (File.Exists(pointer) || new FileInfo(pointer).LinkTarget is not null)
        {
            File.Delete(pointer);
        }

        try
        {
            File.CreateSymbolicLink(pointer, Path.GetRelativePath(folder, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            var temporary = pointer + $".{Guid.NewGuid():N}.tmp";
            File.Copy(blob, temporary);
            File.Move(temporary, pointer, overwrite: true);
        }

        return pointer;
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();
}
