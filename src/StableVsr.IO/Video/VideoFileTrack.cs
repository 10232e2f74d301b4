namespace StableVsr.IO;

/// <summary>An audio or subtitle stream of a video file, as ffprobe describes it; <see cref="VideoFileSink"/> copies them unchanged.</summary>
/// <param name="Index">The stream's index in the file (ffprobe's <c>index</c>).</param>
/// <param name="Codec">The codec name ("aac", "subrip", "mov_text", ...).</param>
/// <param name="Language">The stream's language tag ("eng"), when the file has one.</param>
/// <param name="Title">The stream's title tag, when the file has one.</param>
public sealed record VideoFileTrack(int Index, string Codec, string? Language, string? Title);
