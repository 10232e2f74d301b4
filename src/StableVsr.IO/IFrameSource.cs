namespace StableVsr.IO;

/// <summary>
/// Where a sequence's frames come from: an image folder, a video file, or anything that yields 8-bit RGB frames in
/// order. Frames are read lazily, so a source never needs the whole sequence in memory.
/// </summary>
public interface IFrameSource : IAsyncDisposable
{
    /// <summary>What the frames are read from (a path, for messages).</summary>
    string Description { get; }

    /// <summary>
    /// The number of frames, learned without decoding them (an image folder's file count; a video's probe, which counts
    /// packets where the container stores no frame count), for planning, progress and ETA; null when it cannot be
    /// known that way. Cheap to call again: sources remember the answer.
    /// </summary>
    /// <exception cref="InvalidInputException">The source is missing or not readable media.</exception>
    ValueTask<int?> CountFramesAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads the frames in order, numbered from 0, all of one size.</summary>
    /// <exception cref="InvalidInputException">The source is missing, empty, corrupt, or its frames differ in size.</exception>
    IAsyncEnumerable<VideoFrame> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// A cheap identity of the input's content (paths, sizes, modification times, stream layout), without decoding
    /// frames: a resumed run compares it with the one its journal recorded to make sure it reads the same input.
    /// </summary>
    /// <exception cref="InvalidInputException">The source is missing or unreadable.</exception>
    ValueTask<string> FingerprintAsync(CancellationToken cancellationToken = default);
}
