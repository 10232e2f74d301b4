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

    /// <summary>Starts the CPU-time measurement of an iteration.</summary>
    [IterationSetup]
    public void BeginIteration() => CpuTimeRecorder.BeginIteration();

    /// <summary>Ends the CPU-time measurement of an iteration.</summary>
    [IterationCleanup]
    public void EndIteration() => CpuTimeRecorder.EndIteration(Key);

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
