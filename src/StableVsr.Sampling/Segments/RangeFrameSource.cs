using System.Runtime.CompilerServices;
using StableVsr.IO;

namespace StableVsr.Sampling.Segments;

/// <summary>
/// A source read up to a range's end: frames keep their index in the whole sequence (the noise key), the frames after
/// the range are never decoded, and a sequence shorter than the range is refused when its end is reached.
/// </summary>
internal sealed class RangeFrameSource(IFrameSource inner, SequenceRange range) : IFrameSource
{
    /// <inheritdoc />
    public string Description => inner.Description;

    /// <inheritdoc />
    public async ValueTask<int?> CountFramesAsync(CancellationToken cancellationToken = default) =>
        await inner.CountFramesAsync(cancellationToken).ConfigureAwait(false) is { } count ? Math.Min(count, range.End) : null;

    /// <inheritdoc />
    public async IAsyncEnumerable<VideoFrame> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var read = 0;
        await foreach (var frame in inner.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return frame;
            if (++read == range.End)
            {
                yield break;
            }
        }

        range.CheckWithin(read);
    }

    /// <inheritdoc />
    public ValueTask<string> FingerprintAsync(CancellationToken cancellationToken = default) => inner.FingerprintAsync(cancellationToken);

    /// <summary>Leaves the inner source to its owner.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
