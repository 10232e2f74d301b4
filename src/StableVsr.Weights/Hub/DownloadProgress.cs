namespace StableVsr.Weights.Hub;

/// <summary>Progress of one file download.</summary>
/// <param name="File">The file being downloaded (repository path or file name).</param>
/// <param name="BytesReceived">Bytes of the file on disk so far, including those of an earlier, resumed attempt.</param>
/// <param name="TotalBytes">The file's size when the server says it; null otherwise.</param>
public readonly record struct DownloadProgress(string File, long BytesReceived, long? TotalBytes);
