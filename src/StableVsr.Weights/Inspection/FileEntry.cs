namespace StableVsr.Weights.Inspection;

/// <summary>A file of an inspected checkpoint.</summary>
/// <param name="RelativePath">Its path relative to the inspected root.</param>
/// <param name="Bytes">Its size (of the target, for a cache symlink).</param>
internal sealed record FileEntry(string RelativePath, long Bytes);
