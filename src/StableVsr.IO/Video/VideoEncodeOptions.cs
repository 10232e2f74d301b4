namespace StableVsr.IO;

/// <summary>
/// How <see cref="VideoFileSink"/> encodes: codec, quality and timing, and the source video whose audio, subtitles and
/// metadata go into the output. The defaults give an H.264 MP4 at CRF 18 that keeps the source's frame rate.
/// </summary>
public sealed record VideoEncodeOptions
{
    /// <summary>H.264, CRF 18, preset "medium", timing from <see cref="SourceVideo"/> (or 25 fps without one).</summary>
    public static VideoEncodeOptions Default { get; } = new();

    /// <summary>The codec. Default <see cref="VideoCodec.H264"/>; <see cref="VideoCodec.Ffv1"/> needs an .mkv output.</summary>
    public VideoCodec Codec { get; init; } = VideoCodec.H264;

    /// <summary>
    /// Constant rate factor for H.264 and H.265 (0-51, lower is better and larger; about 6 more halves the size).
    /// Null (the default) takes 18 for H.264 (visually near-lossless) and 22 for H.265 (about the same quality).
    /// Ignored by the lossless <see cref="VideoCodec.Ffv1"/>.
    /// </summary>
    public int? Crf { get; init; }

    /// <summary>
    /// The x264/x265 speed preset (ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo):
    /// slower presets give smaller files at the same quality. Default "medium". Ignored by FFV1.
    /// </summary>
    public string Preset { get; init; } = "medium";

    /// <summary>
    /// The output frame rate. Null (the default): the source video's average rate (a variable-rate source becomes
    /// constant rate at its average, so the duration is kept), or 25 fps without a source.
    /// </summary>
    public VideoRational? FrameRate { get; init; }

    /// <summary>
    /// The video stream's time base in an MP4/MOV output, 1/N (the track's timescale). Null (the default): the source's
    /// when it is of that form and holds the frame duration exactly, else FFmpeg's choice for the frame rate. Matroska
    /// always stores milliseconds, so this does not apply to .mkv.
    /// </summary>
    public VideoRational? TimeBase { get; init; }

    /// <summary>
    /// The video the frames came from: its audio and subtitle streams, chapters, file and stream metadata (language tags,
    /// titles) and its display rotation are copied into the output unchanged. Null: video only.
    /// </summary>
    public string? SourceVideo { get; init; }
}
