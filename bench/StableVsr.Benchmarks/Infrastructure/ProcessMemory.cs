using System.Globalization;

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

    /// <summary>Resets the peak to the current resident size (writing 5 to /proc/self/clear_refs), where the kernel allows it.</summary>
    public static bool ResetPeak()
    {
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
}
