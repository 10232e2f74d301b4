using System.Collections.Concurrent;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// Keeps the peak native memory each benchmark case reached, for <see cref="PeakNativeMemoryColumn"/>. Suites run
/// in process, so a case resets the kernel's peak counter when it starts and records it when it ends.
/// </summary>
public static class PeakMemoryRecorder
{
    private static readonly ConcurrentDictionary<string, long> Peaks = new(StringComparer.Ordinal);

    /// <summary>Starts measuring: resets the process peak to the current resident size.</summary>
    public static void Begin() => ProcessMemory.ResetPeak();

    /// <summary>Records the peak reached since <see cref="Begin"/> under <paramref name="key"/>.</summary>
    public static void End(string key)
    {
        if (ProcessMemory.PeakResidentBytes is { } peak)
        {
            Peaks.AddOrUpdate(key, peak, (_, old) => Math.Max(old, peak));
        }
    }

    /// <summary>The recorded peak for <paramref name="key"/>, if any.</summary>
    public static long? Get(string key) => Peaks.TryGetValue(key, out var value) ? value : null;
}
