using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace StableVsr.Models.Runtime;

/// <summary>
/// Checks that TorchSharp's native backend loads, and turns device names into TorchSharp devices, with errors that
/// say which library or symbol is missing and how to fix it instead of TorchSharp's generic type-initialiser failure.
/// Initialising the backend also runs one small CPU convolution with the native standard error captured: libtorch
/// sets up its CPU convolution kernels (NNPACK) then and prints what it cannot use there, and that text goes to the
/// host's logging (once, to the first logger given) instead of the console; c10's own log level is lowered to errors
/// afterwards, unless TORCH_CPP_LOG_LEVEL says otherwise.
/// </summary>
internal static partial class TorchBackend
{
    private const string NativeLibraryName = "libLibTorchSharp.so";
    private static readonly Lazy<Exception?> LoadFailure = new(TryInitialise);
    private static readonly object NativeLogLock = new();
    private static IReadOnlyList<string> nativeLines = [];

    /// <summary>
    /// Makes sure libtorch and TorchSharp's native library are loaded; what libtorch printed while loading goes to
    /// <paramref name="logger"/>. The first call also asks libtorch's OpenMP threads to sleep rather than spin while they
    /// wait (OMP_WAIT_POLICY=PASSIVE) unless the environment sets OMP_WAIT_POLICY; call it before any other TorchSharp
    /// call for that to take effect.
    /// </summary>
    /// <exception cref="NativeBackendException">The native backend cannot load; the message says why and what to do.</exception>
    public static void EnsureAvailable(ILogger? logger = null)
    {
        if (LoadFailure.Value is { } failure)
        {
            throw new NativeBackendException(Explain(ProbeNativeLibrary() ?? Innermost(failure).Message), failure);
        }

        if (logger is not null)
        {
            LogNativeLines(logger);
        }
    }

    /// <summary>Resolves a <see cref="ComputeDevice"/> to a TorchSharp device that exists on this machine.</summary>
    /// <exception cref="NativeBackendException">CUDA was asked for but is not available, or the GPU number is out of range.</exception>
    public static torch.Device ResolveDevice(ComputeDevice device, ILogger? logger = null)
    {
        EnsureAvailable(logger);
        var name = device.ToString();
        var cuda = torch.cuda.is_available();
        switch (device.Kind)
        {
            case ComputeDeviceKind.Cpu:
                return torch.CPU;
            case ComputeDeviceKind.Auto:
                return cuda ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        }

        if (!cuda)
        {
            throw new NativeBackendException(
                $"Device '{name}' was requested but libtorch reports no CUDA device. Reference a CUDA backend package " +
                "(libtorch-cuda-12.8-linux-x64 or TorchSharp-cuda-*) instead of libtorch-cpu-*, check the NVIDIA driver " +
                "(nvidia-smi), or use device \"cpu\".");
        }

        var index = device.Index ?? 0;
        var count = torch.cuda.device_count();
        if (index >= count)
        {
            throw new NativeBackendException($"Device '{name}' does not exist: this machine has {count} CUDA device(s), numbered from 0.");
        }

        return new torch.Device(DeviceType.CUDA, index);
    }

    /// <summary>Builds the advice for a native loader error message (the text dlopen reported).</summary>
    internal static string Explain(string loaderMessage)
    {
        var advice = loaderMessage switch
        {
            _ when loaderMessage.Contains("GLIBCXX_", StringComparison.Ordinal) =>
                "The system libstdc++ is older than the one TorchSharp was built with. Build the host app with the StableVsr " +
                "package (its build step relaxes that version need in the build output), or install libstdc++ from GCC 13 or newer.",
            _ when loaderMessage.Contains("libtorch", StringComparison.Ordinal) || loaderMessage.Contains("libc10", StringComparison.Ordinal) =>
                "libtorch is missing: reference exactly one backend package, libtorch-cpu-linux-x64 (or libtorch-cpu) for the CPU " +
                "or a libtorch-cuda-* package for NVIDIA GPUs, version 2.10.0 to match TorchSharp 0.107.",
            _ when loaderMessage.Contains(NativeLibraryName, StringComparison.Ordinal) =>
                "TorchSharp's native library is not in the application folder: reference the TorchSharp package with a libtorch " +
                "backend package (libtorch-cpu-linux-x64 or libtorch-cuda-*) from the application project itself.",
            _ => "Reference a libtorch backend package (libtorch-cpu-linux-x64 or libtorch-cuda-*) from the application and check " +
                 "that its native libraries are copied to the output folder.",
        };
        return $"TorchSharp's native backend could not be loaded: {loaderMessage.Trim()} {advice}";
    }

    private static Exception? TryInitialise()
    {
        try
        {
            OpenMpWaitPolicy.PreferPassive();
            var printed = NativeStandardError.Capture(() =>
            {
                using var input = torch.zeros(1, 1, 3, 3);
                using var weight = torch.zeros(1, 1, 3, 3);
                using var output = torch.nn.functional.conv2d(input, weight);
            });
            NativeStandardError.QuietWarnings();
            nativeLines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            return e;
        }
    }

    // TorchSharp reports any load failure as a missing backend package; dlopen's own message names the real culprit.
    private static string? ProbeNativeLibrary()
    {
        foreach (var candidate in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, NativeLibraryName),
                     Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", NativeLibraryName),
                     Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", NativeLibraryName),
                 })
        {
            if (!File.Exists(candidate))
            {
                continue;
            }

            try
            {
                NativeLibrary.Free(NativeLibrary.Load(candidate));
                return null;
            }
            catch (DllNotFoundException e)
            {
                return e.Message;
            }
        }

        return OperatingSystem.IsLinux() ? $"{NativeLibraryName} was not found in '{AppContext.BaseDirectory}'." : null;
    }

    // Each line once, to the first logger that asks: libtorch prints the same warning once per kernel family.
    private static void LogNativeLines(ILogger logger)
    {
        IReadOnlyList<string> lines;
        lock (NativeLogLock)
        {
            (lines, nativeLines) = (nativeLines, []);
        }

        foreach (var line in lines.Distinct(StringComparer.Ordinal))
        {
            LogNativeLine(logger, line);
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    [LoggerMessage(EventId = LoggerEventIds.NativeBackendMessage, Level = LogLevel.Information, Message = "libtorch: {Line}")]
    private static partial void LogNativeLine(ILogger logger, string line);
}
