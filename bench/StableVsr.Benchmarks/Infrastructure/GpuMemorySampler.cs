namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// Samples used GPU memory (<see cref="NvmlMemory"/>) every few milliseconds on a background thread and keeps the
/// highest value, because NVML has no peak counter of its own. Does nothing where NVML is not available.
/// </summary>
public sealed class GpuMemorySampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);
    private readonly CancellationTokenSource stop = new();
    private readonly Thread? thread;
    private long peak = -1;

    /// <summary>Starts sampling (when NVML is available).</summary>
    public GpuMemorySampler()
    {
        if (!NvmlMemory.IsAvailable)
        {
            return;
        }

        Sample();
        thread = new Thread(Run) { IsBackground = true, Name = "GPU memory sampler" };
        thread.Start();
    }

    /// <summary>The highest used GPU memory seen so far in bytes, or null where NVML is not available.</summary>
    public long? PeakBytes
    {
        get
        {
            if (thread is null)
            {
                return null;
            }

            Sample();
            return Interlocked.Read(ref peak);
        }
    }

    /// <summary>Stops sampling.</summary>
    public void Dispose()
    {
        stop.Cancel();
        thread?.Join();
        stop.Dispose();
    }

    private void Run()
    {
        while (!stop.Token.WaitHandle.WaitOne(Interval))
        {
            Sample();
        }
    }

    private void Sample()
    {
        if (NvmlMemory.UsedBytes() is not { } used)
        {
            return;
        }

        var seen = Interlocked.Read(ref peak);
        while (used > seen)
        {
            var previous = Interlocked.CompareExchange(ref peak, used, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }
    }
}
