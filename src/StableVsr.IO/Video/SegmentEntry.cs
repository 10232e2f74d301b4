using System.Security.Cryptography;

namespace StableVsr.IO;

/// <summary>One committed segment of a video sink: its file in the work folder, its frames, and its size and SHA-256 when committed (absent in lists written before they were kept), so a resume finds a segment damaged on disk before sampling.</summary>
/// <param name="File">The segment's file name in the work folder.</param>
/// <param name="Frames">The frames it holds.</param>
/// <param name="Bytes">Its size in bytes when committed.</param>
/// <param name="Sha256">Its SHA-256 (hex) when committed.</param>
internal sealed record SegmentEntry(string File, int Frames, long? Bytes = null, string? Sha256 = null)
{
    /// <summary>The entry of a segment just written to <paramref name="path"/>, with its size and checksum.</summary>
    public static SegmentEntry Of(string path, int frames)
    {
        using var stream = System.IO.File.OpenRead(path);
        var hash = Convert.ToHexString(SHA256.HashData(stream));
        return new SegmentEntry(Path.GetFileName(path), frames, stream.Length, hash);
    }

    /// <summary>Why the segment in <paramref name="workFolder"/> is not the one committed (missing, another size, another checksum); null when it is (or when nothing was recorded to check).</summary>
    public string? Damage(string workFolder)
    {
        var path = Path.Combine(workFolder, File);
        if (!System.IO.File.Exists(path))
        {
            return "it is missing";
        }

        if (Bytes is not { } bytes || Sha256 is not { } sha)
        {
            return null;
        }

        using var stream = System.IO.File.OpenRead(path);
        if (stream.Length != bytes)
        {
            return $"it holds {stream.Length} bytes, {bytes} were committed";
        }

        return Convert.ToHexString(SHA256.HashData(stream)) == sha ? null : "its checksum differs from the committed one";
    }
}
