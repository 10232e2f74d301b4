namespace StableVsr.IO;

/// <summary>ffmpeg failed while encoding a segment; <see cref="VideoFileSink"/> turns it into an <see cref="InvalidInputException"/> that names the output.</summary>
internal sealed class SegmentEncodeException(string reason) : Exception(reason);
