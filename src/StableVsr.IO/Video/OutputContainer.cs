namespace StableVsr.IO;

/// <summary>
/// The container a <see cref="VideoFileSink"/> writes, chosen by the output's extension, and what it can hold: MP4 and
/// MOV store a display rotation and an exact track timescale but only some subtitle codecs; Matroska stores everything
/// but timestamps in milliseconds and (in FFmpeg 5.1) no rotation.
/// </summary>
internal sealed record OutputContainer(string Muxer, bool IsMatroska)
{
    // The one list of the video files StableVsr writes: extension -> muxer.
    private static readonly Dictionary<string, OutputContainer> ByExtension = new(StringComparer.Ordinal)
    {
        [".mp4"] = new("mp4", IsMatroska: false),
        [".m4v"] = new("mp4", IsMatroska: false),
        [".mov"] = new("mov", IsMatroska: false),
        [".mkv"] = new("matroska", IsMatroska: true),
    };

    private static readonly HashSet<string> TextSubtitleCodecs = new(StringComparer.Ordinal) { "subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text" };

    /// <summary>The output extensions understood (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [.. ByExtension.Keys];

    /// <summary>Whether the container stores a display rotation (FFmpeg's display matrix).</summary>
    public bool StoresRotation => !IsMatroska;

    /// <summary>The container for <paramref name="outputPath"/>, checked against <paramref name="codec"/>.</summary>
    /// <exception cref="InvalidInputException">The extension is not one of <see cref="Extensions"/>, or the codec does not fit it.</exception>
    public static OutputContainer For(string outputPath, VideoCodec codec)
    {
        var extension = System.IO.Path.GetExtension(outputPath).ToLowerInvariant();
        if (!ByExtension.TryGetValue(extension, out var container))
        {
            throw new InvalidInputException(
                $"Output '{outputPath}' has the extension '{extension}', which StableVsr does not write; name it with one of {string.Join(", ", Extensions)}.");
        }

        if (codec == VideoCodec.Ffv1 && !container.IsMatroska)
        {
            throw new InvalidInputException($"FFV1 (lossless) is written in Matroska; name the output '{System.IO.Path.ChangeExtension(outputPath, ".mkv")}' instead of '{outputPath}'.");
        }

        return container;
    }

    /// <summary>
    /// The codec a source subtitle stream gets: copied when the container takes it, converted between the two text formats
    /// otherwise (MP4/MOV only take mov_text, Matroska does not take mov_text); null when it cannot go in at all (a
    /// picture-based subtitle in MP4/MOV).
    /// </summary>
    public string? SubtitleCodecFor(string sourceCodec)
    {
        if (IsMatroska)
        {
            return sourceCodec == "mov_text" ? "srt" : "copy";
        }

        if (sourceCodec == "mov_text")
        {
            return "copy";
        }

        return TextSubtitleCodecs.Contains(sourceCodec) ? "mov_text" : null;
    }
}
