using System.Collections.Concurrent;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// The one thread a pipeline samples on, for its whole life. TorchSharp's dispose scopes and grad mode are per thread,
/// so the heavy work needs a thread of its own; a new thread per window (what a long-running task gives) made the
/// native heap grow with the length of a stream: glibc gives each new thread its own malloc arena (up to 8 per core),
/// and every window left the freed blocks of its tensors in a fresh arena, so peak memory rose with the number of
/// windows until the arenas ran out. One long-lived thread reuses one arena.
/// </summary>
internal sealed class SamplingThread : IDisposable
{
    private readonly BlockingCollection<Action> work = new();
    private readonly Thread thread;
    private bool disposed;

    /// <summary>Starts the thread, named <paramref name="name"/> (it shows in debuggers and dumps).</summary>
    public SamplingThread(string name)
    {
        thread = new Thread(Run) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>
    /// Runs <paramref name="job"/> on the thread after the jobs queued before it. A job cancelled through
    /// <paramref name="cancellationToken"/> before it starts does not run.
    /// </summary>
    public Task<T> RunAsync<T>(Func<T> job, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Add(() =>
        {
            if (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
                return;
            }

            try
            {
                done.TrySetResult(job());
            }
            catch (OperationCanceledException e)
            {
                done.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        return done.Task;
    }

    /// <summary>Lets the queued jobs finish and ends the thread.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        work.CompleteAdding();
        if (Thread.CurrentThread != thread)
        {
            thread.Join();
        }

        work.Dispose();
    }

    private void Run()
    {
        foreach (var job in work.GetConsumingEnumerable())
        {
            job();
        }
    }
}
