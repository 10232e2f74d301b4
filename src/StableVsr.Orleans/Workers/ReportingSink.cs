using StableVsr.IO;

namespace StableVsr.Orleans.Workers;

/// <summary>Passes frames to a sink and calls back after each commit with the frames committed so far.</summary>
internal sealed class ReportingSink(IFrameSink inner, Func<int, CancellationToken, Task> committed) : IFrameSink
{
    private int written;

    /// <inheritdoc />
    public string Description => inner.Description;

    /// <inheritdoc />
    public async ValueTask ResumeAsync(int committedFrames, CancellationToken cancellationToken = default)
    {
        await inner.ResumeAsync(committedFrames, cancellationToken).ConfigureAwait(false);
        written = committedFrames;
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(VideoFrame frame, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        written++;
    }

    /// <inheritdoc />
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        await inner.CommitAsync(cancellationToken).ConfigureAwait(false);
        await committed(written, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => inner.CompleteAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
