namespace StableVsr.IO;

/// <summary>
/// The container a <see cref="VideoFileSink"/> writes, chosen by the output's extension, and what it can hold: MP4 and
/// MOV store a display rotation and an exact track timescale but only some subtitle codecs; Matroska stores everything
/// but timestamps in milliseconds and (in FFmpeg 5.1) no rotation.
/// </summary>
internal sealed record OutputContainer(string Muxer, bool IsMatroska)
{
    /// <summary>The output extensions understood, for messages.</summary>
    public const string SupportedExtensions = ".mp4, .m4v, .mov, .mkv";

    private static readonly HashSet<string> TextSubtitleCodecs = new(StringComparer.Ordinal) { "subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text" };

    /// <summary>Whether the container stores a display rotation (FFmpeg's display matrix).</summary>
    public bool StoresRotation => !IsMatroska;

    /// <summary>The container for <paramref name="outputPath"/>, checked against <paramref name="codec"/>.</summary>
    /// <exception cref="InvalidInputException">The extension is not one of <see cref="SupportedExtensions"/>, or the codec does not fit it.</exception>
    public static OutputContainer For(string outputPath, VideoCodec codec)
    {
        var container = System.IO.Path.GetExtension(outputPath).ToLowerInvariant() switch
        {
            ".mp4" or ".m4v" => new OutputContainer("mp4", IsMatroska: false),
            ".mov" => new OutputContainer("mov", IsMatroska: false),
            ".mkv" => new OutputContainer("matroska", IsMatroska: true),
            var other => throw new InvalidInputException(
                $"Output '{outputPath}' has the extension '{other}', which StableVsr does not write; name it with one of {SupportedExtensions}."),
        };
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
