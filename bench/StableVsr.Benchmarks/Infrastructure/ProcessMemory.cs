using System.Globalization;
using System.Runtime.InteropServices;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// Resident and peak resident memory of this process from /proc (Linux), which counts libtorch's native
/// allocations that the managed allocation counters never see.
/// </summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size in bytes, or null where /proc is not available.</summary>
    public static long? ResidentBytes => ReadStatus("VmRSS:");

    /// <summary>Peak resident set size in bytes since the process started or since <see cref="ResetPeak"/>.</summary>
    public static long? PeakResidentBytes => ReadStatus("VmHWM:");

    /// <summary>
    /// Resets the peak to the current resident size (writing 5 to /proc/self/clear_refs), where the kernel allows it,
    /// after handing the memory that earlier cases freed back to the system (glibc's malloc_trim), so that a case's peak
    /// does not include what the allocator kept from the cases before it.
    /// </summary>
    public static bool ResetPeak()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TrimNativeHeap();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void TrimNativeHeap()
    {
        try
        {
            NativeMethods.malloc_trim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: the allocator keeps what it keeps.
        }
    }

    private static long? ReadStatus(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return null;
        }

        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    private static class NativeMethods
    {
        [DllImport("libc")]
        internal static extern int malloc_trim(nuint pad);
    }
}
