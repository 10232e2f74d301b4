using System.Text.RegularExpressions;

namespace StableVsr.Weights.Hub;

/// <summary>
/// Names a model: a local folder in diffusers layout, or a Hugging Face Hub repository <c>owner/name</c> with an
/// optional revision (<c>owner/name@revision</c>: a branch, tag or commit hash; default <c>main</c>).
/// </summary>
internal partial record ModelReference
{
    private ModelReference(string? localPath, string? repoId, string revision)
    {
        LocalPath = localPath;
        RepoId = repoId;
        Revision = revision;
    }

    /// <summary>The full path of the folder, for a local reference; null for a Hub reference.</summary>
    public string? LocalPath { get; }

    /// <summary>The repository id <c>owner/name</c>, for a Hub reference; null for a local one.</summary>
    public string? RepoId { get; }

    /// <summary>The revision of a Hub reference (<c>main</c> when none was given).</summary>
    public string Revision { get; }

    /// <summary>Whether the reference is a local folder.</summary>
    public bool IsLocal => LocalPath is not null;

    /// <summary>A reference to a local folder.</summary>
    public static ModelReference Local(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return new ModelReference(Path.GetFullPath(folder), null, "main");
    }

    /// <summary>A reference to a Hub repository.</summary>
    /// <exception cref="InvalidInputException">The id or revision is malformed.</exception>
    public static ModelReference Hub(string repoId, string revision = "main")
    {
        if (!RepoIdPattern().IsMatch(repoId ?? string.Empty) || repoId!.Contains("..", StringComparison.Ordinal))
        {
            throw new InvalidInputException($"'{repoId}' is not a Hub repository id; expected 'owner/name' (letters, digits, '-', '_', '.').");
        }

        if (string.IsNullOrEmpty(revision) || revision.Contains("..", StringComparison.Ordinal) || !RevisionPattern().IsMatch(revision))
        {
            throw new InvalidInputException($"'{revision}' is not a valid revision for '{repoId}'; use a branch, tag or commit hash.");
        }

        return new ModelReference(null, repoId, revision);
    }

    /// <summary>
    /// Reads a reference as a user types it: an existing folder (or anything that looks like a path: starts with
    /// <c>/</c>, <c>.</c> or <c>~</c>) is local; otherwise <c>owner/name[@revision]</c> is a Hub repository.
    /// </summary>
    /// <exception cref="InvalidInputException">The text is neither an existing folder nor a Hub id.</exception>
    public static ModelReference Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        if (text.StartsWith('~'))
        {
            text = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + text[1..];
        }

        if (Directory.Exists(text) || Path.IsPathRooted(text) || text.StartsWith('.'))
        {
            return Local(text);
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? Hub(text) : Hub(text[..at], text[(at + 1)..]);
    }

    /// <inheritdoc />
    public override string ToString() => LocalPath ?? (Revision == "main" ? RepoId! : $"{RepoId}@{Revision}");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex RepoIdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_./-]*$")]
    private static partial Regex RevisionPattern();
}
