using BenchmarkDotNet.Attributes;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// What every suite does around its cases: records CPU time per iteration and the peak native memory of the case
/// under <see cref="Key"/>, and disposes what set-up allocated (in reverse order) when the case ends.
/// </summary>
public abstract class MeasuredBenchmark
{
    private readonly List<IDisposable> owned = [];

    /// <summary>The key the case's measurements are recorded under (see <see cref="PeakMemoryRecorder.Key"/>).</summary>
    protected abstract string Key { get; }

    /// <summary>
    /// Whether peak memory is measured per iteration (from the resident size before each one, so "RSS rise" is what one
    /// operation adds) instead of over the whole case, set-up included.
    /// </summary>
    protected virtual bool MeasuresMemoryPerIteration => false;

    /// <summary>Starts the CPU-time (and, per iteration, memory) measurement of an iteration.</summary>
    [IterationSetup]
    public void BeginIteration()
    {
        if (MeasuresMemoryPerIteration)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            PeakMemoryRecorder.Begin();
        }

        CpuTimeRecorder.BeginIteration();
    }

    /// <summary>Ends the CPU-time (and, per iteration, memory) measurement of an iteration.</summary>
    [IterationCleanup]
    public void EndIteration()
    {
        CpuTimeRecorder.EndIteration(Key);
        if (MeasuresMemoryPerIteration)
        {
            PeakMemoryRecorder.End(Key);
        }
    }

    /// <summary>Keeps <paramref name="item"/> until <see cref="ReleaseOwned"/>.</summary>
    protected T Own<T>(T item)
        where T : IDisposable
    {
        owned.Add(item);
        return item;
    }

    /// <summary>Records the case's peak memory, then disposes everything owned, newest first.</summary>
    protected void ReleaseOwned()
    {
        PeakMemoryRecorder.End(Key);
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            owned[i].Dispose();
        }

        owned.Clear();
    }
}
