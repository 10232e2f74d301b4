namespace StableVsr.IO;

/// <summary>
/// Where upscaled frames go: an image folder, a video file, ... Frames arrive in order as they are finished;
/// <see cref="CompleteAsync"/> makes the output final. A sink never leaves a half-written file behind: what it has
/// not completed is either absent or recognisably temporary.
/// </summary>
public interface IFrameSink : IAsyncDisposable
{
    /// <summary>What the frames are written to (a path, for messages).</summary>
    string Description { get; }

    /// <summary>Writes the next frame.</summary>
    /// <exception cref="InvalidInputException">The frame cannot be written (its size differs from the first, the disk is full, ...).</exception>
    ValueTask WriteAsync(VideoFrame frame, CancellationToken cancellationToken = default);

    /// <summary>Finishes the output after the last frame; nothing may be written afterwards.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken = default);
}
