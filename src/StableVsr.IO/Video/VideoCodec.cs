namespace StableVsr.IO;

/// <summary>How <see cref="VideoFileSink"/> encodes the frames it is given.</summary>
public enum VideoCodec
{
    /// <summary>
    /// H.264 (libx264), 8-bit 4:2:0 (yuv420p, BT.709, limited range): plays everywhere. Lossy, steered by
    /// <see cref="VideoEncodeOptions.Crf"/>. Frames with an odd width or height are encoded 4:4:4 (yuv444p), which 4:2:0
    /// cannot hold, so the size stays exact (fewer hardware players decode 4:4:4).
    /// </summary>
    H264,

    /// <summary>
    /// H.265 / HEVC (libx265), 8-bit 4:2:0 like <see cref="H264"/>: about half the size at the same quality, slower to
    /// encode; tagged <c>hvc1</c> in MP4/MOV so Apple players open it.
    /// </summary>
    H265,

    /// <summary>
    /// FFV1 (level 3, every frame a key frame) in Matroska (.mkv), stored as RGB: lossless, the decoded frames equal the
    /// written ones bit for bit. Files are large (incompressible noise stays at its raw size; natural video shrinks to
    /// roughly a third to a half).
    /// </summary>
    Ffv1,
}
