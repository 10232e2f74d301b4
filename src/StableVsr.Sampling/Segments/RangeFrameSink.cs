using StableVsr.IO;

namespace StableVsr.Sampling.Segments;

/// <summary>
/// A sink that takes a range's output frames only: the warm-up frames before <see cref="SequenceRange.Start"/> are
/// dropped, frames keep their index in the whole sequence (an image folder names them as the unsplit run does), and
/// the sequence-wide frame counts of the journal are turned into the inner sink's own. Commits with nothing new (warm-up
/// windows) are not passed on.
/// </summary>
internal sealed class RangeFrameSink(IFrameSink inner, SequenceRange range) : IFrameSink
{
    private int written;
    private int committed;

    /// <inheritdoc />
    public string Description => inner.Description;

    /// <summary>Continues after <paramref name="committedFrames"/> frames of the whole sequence (warm-up frames included).</summary>
    public async ValueTask ResumeAsync(int committedFrames, CancellationToken cancellationToken = default)
    {
        var own = Math.Clamp(committedFrames - range.Start, 0, range.Count);
        await inner.ResumeAsync(own, cancellationToken).ConfigureAwait(false);
        written = committed = own;
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(VideoFrame frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Index < range.Start)
        {
            return;
        }

        if (frame.Index >= range.End)
        {
            throw new InvalidOperationException($"Frame {frame.Index} is after frame range {range}.");
        }

        await inner.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        written++;
    }

    /// <inheritdoc />
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        if (written > committed)
        {
            await inner.CommitAsync(cancellationToken).ConfigureAwait(false);
            committed = written;
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => inner.CompleteAsync(cancellationToken);

    /// <summary>Leaves the inner sink to its owner.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
