using System.Runtime.InteropServices;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// Used GPU memory through NVIDIA's management library (libnvidia-ml.so.1, shipped with the driver), called directly
/// because TorchSharp exposes no CUDA memory statistics. Where the library or a GPU is missing every query answers
/// null, so suites run unchanged on machines without CUDA.
/// </summary>
public static class NvmlMemory
{
    private const string Library = "libnvidia-ml.so.1";
    private const int Success = 0;
    private static readonly Lazy<bool> Initialised = new(Initialise);

    /// <summary>Whether NVML answered (a driver and at least one GPU are present).</summary>
    public static bool IsAvailable => Initialised.Value;

    /// <summary>
    /// Memory in use on GPU <paramref name="index"/> in bytes, as the driver counts it (every process on the GPU, the
    /// CUDA context included), or null where NVML is not available.
    /// </summary>
    public static long? UsedBytes(int index = 0)
    {
        if (!IsAvailable)
        {
            return null;
        }

        if (NativeMethods.nvmlDeviceGetHandleByIndex_v2((uint)index, out var device) != Success
            || NativeMethods.nvmlDeviceGetMemoryInfo(device, out var memory) != Success)
        {
            return null;
        }

        return (long)memory.Used;
    }

    private static bool Initialise()
    {
        try
        {
            return NativeMethods.nvmlInit_v2() == Success
                && NativeMethods.nvmlDeviceGetCount_v2(out var count) == Success
                && count > 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>nvmlMemory_t: total, free and used bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MemoryInfo
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    private static class NativeMethods
    {
        [DllImport(Library)]
        internal static extern int nvmlInit_v2();

        [DllImport(Library)]
        internal static extern int nvmlDeviceGetCount_v2(out uint count);

        [DllImport(Library)]
        internal static extern int nvmlDeviceGetHandleByIndex_v2(uint index, out nint device);

        [DllImport(Library)]
        internal static extern int nvmlDeviceGetMemoryInfo(nint device, out MemoryInfo memory);
    }
}
