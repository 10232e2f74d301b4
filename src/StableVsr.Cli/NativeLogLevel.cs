using System.Runtime.InteropServices;
using StableVsr.Models.Runtime;

namespace StableVsr.Cli;

/// <summary>
/// libtorch's own logging writes warnings such as "Could not initialize NNPACK! Reason: Unsupported hardware." to
/// standard error from convolutions on some CPUs, which buries the progress bar. Outside Python nothing applies
/// TORCH_CPP_LOG_LEVEL, so the command lowers c10's log level flag itself (to errors only) once libtorch is loaded,
/// unless the user set TORCH_CPP_LOG_LEVEL.
/// </summary>
internal static class NativeLogLevel
{
    private const int ErrorsOnly = 2;

    public static void QuietUnlessAsked()
    {
        if (Environment.GetEnvironmentVariable("TORCH_CPP_LOG_LEVEL") is not null)
        {
            return;
        }

        try
        {
            TorchBackend.EnsureAvailable();
        }
        catch (NativeBackendException)
        {
            // The command reports backend problems where it uses the backend, with its own exit code.
            return;
        }

        foreach (var candidate in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libc10.so"),
                     Path.Combine(AppContext.BaseDirectory, "libc10.so"),
                 })
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)
                && NativeLibrary.TryGetExport(handle, "FLAGS_caffe2_log_level", out var flag))
            {
                Marshal.WriteInt32(flag, ErrorsOnly);
                return;
            }
        }
    }
}
