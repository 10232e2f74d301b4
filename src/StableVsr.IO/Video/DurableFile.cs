namespace StableVsr.IO;

/// <summary>Makes files durable before they are relied on: flushed to the disk, and replaced only whole (written aside, then renamed).</summary>
internal static class DurableFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically: a temporary file beside it, flushed, renamed over it.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        var temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            DeleteIfExists(temporary);
        }
    }

    /// <summary>Flushes a file that another process wrote to the disk (fsync), so a power cut cannot lose it after it is renamed into place.</summary>
    public static void Flush(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Deletes <paramref name="path"/> if it exists.</summary>
    public static void DeleteIfExists(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
