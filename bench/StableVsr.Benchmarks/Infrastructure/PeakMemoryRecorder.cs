using System.Collections.Concurrent;
using System.Globalization;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// Keeps the peak host (resident) and GPU memory each benchmark case reached, for <see cref="PeakNativeMemoryColumn"/>
/// and <see cref="PeakGpuMemoryColumn"/>. Suites run in process, so a case resets the kernel's peak counter and starts
/// the GPU sampler when it starts (<see cref="Begin"/>), and records both when it ends (<see cref="End"/>).
/// </summary>
public static class PeakMemoryRecorder
{
    private static readonly ConcurrentDictionary<string, long> HostPeaks = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, long> HostRises = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, long> GpuPeaks = new(StringComparer.Ordinal);
    private static GpuMemorySampler? gpu;
    private static long residentAtBegin;

    /// <summary>Starts measuring: resets the process peak to the current resident size and starts sampling the GPU.</summary>
    public static void Begin()
    {
        gpu?.Dispose();
        ProcessMemory.ResetPeak();
        residentAtBegin = ProcessMemory.ResidentBytes ?? 0;
        gpu = new GpuMemorySampler();
    }

    /// <summary>Records the peaks reached since <see cref="Begin"/> under <paramref name="key"/> (see <see cref="Key"/>).</summary>
    public static void End(string key)
    {
        if (ProcessMemory.PeakResidentBytes is { } host)
        {
            HostPeaks.AddOrUpdate(key, host, (_, old) => Math.Max(old, host));
            var rise = host - residentAtBegin;
            HostRises.AddOrUpdate(key, rise, (_, old) => Math.Max(old, rise));
        }

        if (gpu?.PeakBytes is { } device)
        {
            GpuPeaks.AddOrUpdate(key, device, (_, old) => Math.Max(old, device));
        }

        gpu?.Dispose();
        gpu = null;
    }

    /// <summary>The recorded peak resident memory for <paramref name="key"/>, if any.</summary>
    public static long? HostPeak(string key) => HostPeaks.TryGetValue(key, out var value) ? value : null;

    /// <summary>The largest rise of resident memory over what was resident at <see cref="Begin"/>, for <paramref name="key"/>, if any.</summary>
    public static long? HostRise(string key) => HostRises.TryGetValue(key, out var value) ? value : null;

    /// <summary>The recorded peak used GPU memory for <paramref name="key"/>, if any.</summary>
    public static long? GpuPeak(string key) => GpuPeaks.TryGetValue(key, out var value) ? value : null;

    /// <summary>
    /// The key of a case: benchmark type, method and its parameter values ordered by name, which both the suites
    /// (recording) and the columns (reading, from BenchmarkDotNet's case description) can build.
    /// </summary>
    public static string Key(string type, string method, IEnumerable<(string Name, object? Value)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var values = parameters
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={Convert.ToString(p.Value, CultureInfo.InvariantCulture)}");
        return $"{type}.{method}({string.Join(", ", values)})";
    }

    /// <summary>Formats bytes as whole megabytes for a column.</summary>
    public static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N0", CultureInfo.InvariantCulture) + " MB";
}
