namespace StableVsr.Tests.Support;

/// <summary>
/// A background thread that keeps the garbage collector and the finalizer thread busy: young garbage, a forced gen0
/// collection, the pending finalizers, and every <see cref="FullCollectionEvery"/>th round a full blocking collection.
/// Managed objects that only native code still uses (a TorchSharp <c>Scalar</c> passed to an operator, a tensor wrapper
/// whose handle libtorch reads later, a delegate that native autograd calls back) are finalized within a millisecond of
/// becoming unreachable, so a lifetime bug shows as a wrong number or a crash instead of hiding behind a quiet heap.
/// </summary>
public sealed class GcStorm : IDisposable
{
    /// <summary>Environment variable that runs the whole test assembly under a storm (any value but empty or 0).</summary>
    public const string EnvironmentVariable = "STABLEVSR_GC_STORM";

    private const int FullCollectionEvery = 16;

    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private long collections;

    private GcStorm()
    {
        thread = new Thread(Loop) { IsBackground = true, Name = "GC storm" };
        thread.Start();
    }

    /// <summary>Whether <see cref="EnvironmentVariable"/> asks for a storm over the whole test run.</summary>
    public static bool RequestedByEnvironment =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value && value != "0";

    /// <summary>Collections made so far.</summary>
    public long Collections => Interlocked.Read(ref collections);

    /// <summary>Starts a storm; dispose it to stop it.</summary>
    public static GcStorm Start() => new();

    /// <summary>Stops the storm and waits for its thread.</summary>
    public void Dispose()
    {
        stop.Cancel();
        thread.Join();
        stop.Dispose();
    }

    private void Loop()
    {
        var round = 0;
        while (!stop.IsCancellationRequested)
        {
            // Young garbage so that gen0 has something to do; the objects at risk are young temporaries.
            var garbage = new byte[1 + (round % 64)][];
            for (var i = 0; i < garbage.Length; i++)
            {
                garbage[i] = new byte[1024 * (i + 1)];
            }

            GC.KeepAlive(garbage);
            if (++round % FullCollectionEvery == 0)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
            }
            else
            {
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            }

            GC.WaitForPendingFinalizers();
            Interlocked.Increment(ref collections);
            Thread.Sleep(1);
        }
    }
}
