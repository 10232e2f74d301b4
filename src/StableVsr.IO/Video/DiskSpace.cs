namespace StableVsr.IO;

/// <summary>Recognises "the disk is full" in .NET I/O errors and in ffmpeg's messages.</summary>
internal static class DiskSpace
{
    private const int LinuxNoSpace = 28;          // ENOSPC
    private const int LinuxQuotaExceeded = 122;   // EDQUOT
    private const int WindowsDiskFull = 112;      // ERROR_DISK_FULL
    private const int WindowsHandleDiskFull = 39; // ERROR_HANDLE_DISK_FULL

    /// <summary>Whether <paramref name="error"/> is a write that failed for lack of space.</summary>
    public static bool IsDiskFull(Exception error) =>
        error is IOException io && ((io.HResult & 0xFFFF) is LinuxNoSpace or LinuxQuotaExceeded or WindowsDiskFull or WindowsHandleDiskFull || IsDiskFullMessage(io.Message));

    /// <summary>Whether a message (from .NET or ffmpeg's strerror) says the disk or quota is full.</summary>
    public static bool IsDiskFullMessage(string message) =>
        message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
        || message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase)
        || message.Contains("not enough space on the disk", StringComparison.OrdinalIgnoreCase);
}
