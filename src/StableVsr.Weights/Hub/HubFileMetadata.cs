namespace StableVsr.Weights.Hub;

/// <summary>What the Hub's HEAD answer says about one file.</summary>
/// <param name="Commit">The commit the revision resolved to (<c>X-Repo-Commit</c>).</param>
/// <param name="Etag">The content hash that names the blob (<c>X-Linked-Etag</c> or <c>ETag</c>, unquoted).</param>
/// <param name="Size">The file size, when announced.</param>
/// <param name="DownloadUrl">Where the content is (the LFS storage URL for LFS files).</param>
internal sealed record HubFileMetadata(string Commit, string Etag, long? Size, Uri DownloadUrl);
