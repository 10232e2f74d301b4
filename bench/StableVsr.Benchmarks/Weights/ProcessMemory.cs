namespace StableVsr.Benchmarks.Weights;

/// <summary>Reads (and resets) the process's resident memory from /proc/self on Linux.</summary>
internal static class ProcessMemory
{
    /// <summary>The resident set size now, in bytes.</summary>
    public static long Resident() => Read("VmRSS:");

    /// <summary>The peak resident set size since the process started or <see cref="ResetPeak"/>, in bytes.</summary>
    public static long Peak() => Read("VmHWM:");

    /// <summary>Resets the peak to the current resident size (Linux 4.0+: writing 5 to clear_refs).</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long Read(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
