using System.Runtime.InteropServices;
using System.Text;

namespace StableVsr.Models.Runtime;

/// <summary>
/// libtorch writes its own warnings (c10's LOG(WARNING), such as NNPACK's "Could not initialize NNPACK! Reason:
/// Unsupported hardware.") straight to the process's standard error, past any .NET logging. This captures that stream
/// around one piece of native work, so the text can go through the host's logging instead, and lowers c10's log level
/// afterwards so later native warnings stay off the console too.
/// </summary>
internal static partial class NativeStandardError
{
    private const int StandardError = 2;
    private const int ErrorsOnly = 2;

    /// <summary>
    /// Runs <paramref name="action"/> with file descriptor 2 redirected into a temporary file and returns what was written
    /// there (also by .NET code writing to standard error in that time). Not nested, not concurrent with itself; where
    /// descriptors cannot be redirected (Windows), runs the action and returns "".
    /// </summary>
    public static string Capture(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            action();
            return string.Empty;
        }

        var path = Path.Combine(Path.GetTempPath(), $"stablevsr-stderr-{Guid.NewGuid():N}.txt");
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite))
            {
                var saved = Dup(StandardError);
                if (saved < 0)
                {
                    action();
                    return string.Empty;
                }

                try
                {
                    if (Dup2((int)file.SafeFileHandle.DangerousGetHandle(), StandardError) < 0)
                    {
                        action();
                        return string.Empty;
                    }

                    action();
                }
                finally
                {
                    _ = FlushAll(IntPtr.Zero);
                    _ = Dup2(saved, StandardError);
                    _ = Close(saved);
                }
            }

            return File.ReadAllText(path, Encoding.UTF8);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Sets c10's log level to errors only (its <c>FLAGS_caffe2_log_level</c>), unless the user asked for a level with
    /// <c>TORCH_CPP_LOG_LEVEL</c>; outside Python nothing else applies that variable. Returns whether the flag was set.
    /// </summary>
    public static bool QuietWarnings()
    {
        if (Environment.GetEnvironmentVariable("TORCH_CPP_LOG_LEVEL") is not null)
        {
            return false;
        }

        foreach (var candidate in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", "libc10.so"),
                     Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libc10.so"),
                     Path.Combine(AppContext.BaseDirectory, "libc10.so"),
                 })
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)
                && NativeLibrary.TryGetExport(handle, "FLAGS_caffe2_log_level", out var flag))
            {
                Marshal.WriteInt32(flag, ErrorsOnly);
                return true;
            }
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int descriptor);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int descriptor, int target);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "fflush")]
    private static partial int FlushAll(IntPtr stream);
}
