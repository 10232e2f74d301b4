namespace StableVsr.IO;

/// <summary>
/// Where upscaled frames go: an image folder, a video file, ... Frames arrive in order as they are finished.
/// <see cref="CommitAsync"/> marks the frames written so far as final (an upscaler commits after each window), so an
/// interrupted run can continue after them (<see cref="ResumeAsync"/>); <see cref="CompleteAsync"/> makes the whole
/// output final. A sink never leaves a half-written output file behind: what it has not completed is either absent or
/// recognisably temporary.
/// </summary>
public interface IFrameSink : IAsyncDisposable
{
    /// <summary>What the frames are written to (a path, for messages).</summary>
    string Description { get; }

    /// <summary>
    /// Continues an output an earlier run left unfinished: keeps its first <paramref name="committedFrames"/> frames
    /// (what that run had committed), discards anything written after them, and expects frame
    /// <paramref name="committedFrames"/> next. Call it before the first write, or not at all for a new output.
    /// </summary>
    /// <exception cref="InvalidInputException">The committed frames are not there any more, so the output cannot be resumed.</exception>
    ValueTask ResumeAsync(int committedFrames, CancellationToken cancellationToken = default);

    /// <summary>Writes the next frame.</summary>
    /// <exception cref="InvalidInputException">The frame cannot be written (its size differs from the first, the disk is full, ...).</exception>
    ValueTask WriteAsync(VideoFrame frame, CancellationToken cancellationToken = default);

    /// <summary>Makes every frame written so far durable: after a crash, the output can be resumed after them.</summary>
    /// <exception cref="InvalidInputException">The frames cannot be made durable (the disk is full, ...).</exception>
    ValueTask CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Finishes the output after the last frame; nothing may be written afterwards.</summary>
    /// <exception cref="InvalidInputException">The output cannot be finished (the disk is full, ...); committed frames stay resumable.</exception>
    ValueTask CompleteAsync(CancellationToken cancellationToken = default);
}
