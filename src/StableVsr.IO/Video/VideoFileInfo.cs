namespace StableVsr.IO;

/// <summary>
/// What ffprobe says about a video file: the video stream that is read (the first one that is not a cover picture), its
/// timing, and the audio and subtitle streams a <see cref="VideoFileSink"/> copies into the output.
/// </summary>
public sealed record VideoFileInfo
{
    /// <summary>The file probed.</summary>
    public required string Path { get; init; }

    /// <summary>The container as FFmpeg names it ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", ...).</summary>
    public required string ContainerFormat { get; init; }

    /// <summary>The index of the video stream that is read.</summary>
    public required int VideoStreamIndex { get; init; }

    /// <summary>The video codec ("h264", "hevc", "ffv1", ...).</summary>
    public required string VideoCodec { get; init; }

    /// <summary>Width in pixels of the frames as stored (before <see cref="Rotation"/>).</summary>
    public required int Width { get; init; }

    /// <summary>Height in pixels of the frames as stored (before <see cref="Rotation"/>).</summary>
    public required int Height { get; init; }

    /// <summary>The stored pixel format ("yuv420p", "yuv420p10le", "yuva420p", ...); frames are always read as 8-bit RGB.</summary>
    public required string PixelFormat { get; init; }

    /// <summary>Bits per colour sample of the stored frames (8, 10, 12, ...); more than 8 is reduced to 8 on reading.</summary>
    public required int BitDepth { get; init; }

    /// <summary>Whether the stored frames have an alpha channel; it is dropped on reading (colours are kept as stored, not blended).</summary>
    public required bool HasAlpha { get; init; }

    /// <summary>
    /// The frame rate: the stream's nominal rate, or for a variable-rate video its average (frames / duration), which is
    /// what <see cref="VideoFileSink"/> encodes at by default, so the duration and the sync with audio are kept.
    /// </summary>
    public required VideoRational FrameRate { get; init; }

    /// <summary>
    /// Whether the frames do not fill the duration at the nominal rate (more than 1.5 frames or 0.5% off): the timing is
    /// variable, and the frames are read once each, without the duplicates a constant-rate conversion would add.
    /// </summary>
    public required bool IsVariableFrameRate { get; init; }

    /// <summary>The video stream's time base (the unit of its timestamps).</summary>
    public required VideoRational TimeBase { get; init; }

    /// <summary>
    /// The number of frames: the container's count where it stores one (MP4, MOV), else the video packets counted by
    /// reading the file through once without decoding (Matroska and most others).
    /// </summary>
    public required int FrameCount { get; init; }

    /// <summary>The video stream's duration (the container's when the stream has none).</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>
    /// The display rotation in degrees from the stream's display matrix (0, 90, 180, -90, ...). Frames are read as
    /// stored, not rotated; <see cref="VideoFileSink"/> writes the same rotation into an MP4/MOV output.
    /// </summary>
    public required int Rotation { get; init; }

    /// <summary>The audio streams, in file order.</summary>
    public required IReadOnlyList<VideoFileTrack> AudioTracks { get; init; }

    /// <summary>The subtitle streams, in file order.</summary>
    public required IReadOnlyList<VideoFileTrack> SubtitleTracks { get; init; }

    /// <summary>A one-line summary for messages: size, rate, frames, streams.</summary>
    public override string ToString() =>
        $"{Path}: {VideoCodec} {Width}x{Height} {PixelFormat} at {FrameRate} fps" +
        $", {FrameCount} frames" +
        (Rotation != 0 ? $", rotated {Rotation}°" : string.Empty) +
        $", {AudioTracks.Count} audio and {SubtitleTracks.Count} subtitle stream(s)";
}
