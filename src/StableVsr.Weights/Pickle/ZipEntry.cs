namespace StableVsr.Weights.Pickle;

/// <summary>One stored (uncompressed) member of a zip archive, located by its data bytes in the file.</summary>
/// <param name="Name">The member name (<c>archive/data/0</c>).</param>
/// <param name="DataOffset">The file offset of its first data byte.</param>
/// <param name="Length">Its size in bytes.</param>
internal sealed record ZipEntry(string Name, long DataOffset, long Length);
