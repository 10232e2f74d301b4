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
    /// The number of frames when it is known without decoding them (an image folder's file count, the frame count in
    /// a video's header), for progress and ETA; null when unknown.
    /// </summary>
    int? FrameCount { get; }

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
