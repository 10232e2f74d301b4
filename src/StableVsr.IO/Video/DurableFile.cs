using System.Runtime.InteropServices;

namespace StableVsr.IO;

/// <summary>Makes files durable before they are relied on: flushed to the disk, and replaced only whole (written aside, then renamed).</summary>
internal static partial class DurableFile
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

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

    /// <summary>
    /// Flushes a folder's entries to the disk (fsync on the folder), so that files renamed into it survive a power cut;
    /// a rename alone is durable only once its folder is. Does nothing where folders cannot be opened for it (Windows).
    /// </summary>
    /// <exception cref="IOException">The folder cannot be opened or flushed.</exception>
    public static void FlushFolder(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var descriptor = Open(folder, ReadOnlyDirectory);
        if (descriptor < 0)
        {
            throw new IOException($"The folder '{folder}' cannot be opened to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"The folder '{folder}' cannot be flushed to the disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
