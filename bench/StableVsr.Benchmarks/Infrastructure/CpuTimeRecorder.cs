using System.Collections.Concurrent;
using System.Diagnostics;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// Keeps the process CPU time (all threads, user and kernel) each measured iteration of a case used, for
/// <see cref="CpuTimeColumn"/>. On a machine shared with other work the wall-clock time of a case grows with the load
/// much more than the CPU time it uses, so both are reported.
/// </summary>
public static class CpuTimeRecorder
{
    private static readonly ConcurrentDictionary<string, List<TimeSpan>> Iterations = new(StringComparer.Ordinal);
    private static TimeSpan start;

    /// <summary>Marks the start of an iteration (call from an [IterationSetup]).</summary>
    public static void BeginIteration() => start = Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Records the CPU time since <see cref="BeginIteration"/> under <paramref name="key"/> (call from an [IterationCleanup]).</summary>
    public static void EndIteration(string key)
    {
        var used = Process.GetCurrentProcess().TotalProcessorTime - start;
        var list = Iterations.GetOrAdd(key, _ => []);
        lock (list)
        {
            list.Add(used);
        }
    }

    /// <summary>
    /// The mean CPU time per iteration recorded for <paramref name="key"/>, leaving out the first iteration (the
    /// warm-up) when there are more; null when nothing was recorded.
    /// </summary>
    public static TimeSpan? Mean(string key)
    {
        if (!Iterations.TryGetValue(key, out var list))
        {
            return null;
        }

        lock (list)
        {
            var measured = list.Count > 1 ? list.Skip(1).ToArray() : [.. list];
            return measured.Length == 0 ? null : TimeSpan.FromTicks((long)measured.Average(t => t.Ticks));
        }
    }
}
