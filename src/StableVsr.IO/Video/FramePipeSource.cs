using System.Threading.Channels;
using FFMpegCore.Pipes;

namespace StableVsr.IO;

/// <summary>
/// FFMpegCore's input pipe fed from a queue: raw RGB24 frames are written to ffmpeg as the sink receives them, so the
/// encoder takes frames as they come instead of from a list prepared in advance (what FFMpegCore's own
/// <c>RawVideoPipeSource</c> needs). Completing the queue ends ffmpeg's input.
/// </summary>
internal sealed class FramePipeSource(ChannelReader<ReadOnlyMemory<byte>> frames, string inputArguments) : IPipeSource
{
    /// <inheritdoc />
    public string GetStreamArguments() => inputArguments;

    /// <inheritdoc />
    public async Task WriteAsync(Stream outputStream, CancellationToken cancellationToken)
    {
        await foreach (var frame in frames.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await outputStream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }

        await outputStream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
