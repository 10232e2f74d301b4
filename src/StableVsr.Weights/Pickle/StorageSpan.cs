namespace StableVsr.Weights.Pickle;

/// <summary>Where a storage's raw bytes lie in a checkpoint file: a zip member's data, or a run of a legacy file.</summary>
/// <param name="Name">The storage as messages name it (<c>archive/data/0</c>, or <c>storage 1933719376</c>).</param>
/// <param name="DataOffset">The file offset of its first byte.</param>
/// <param name="Length">Its size in bytes.</param>
internal sealed record StorageSpan(string Name, long DataOffset, long Length);
