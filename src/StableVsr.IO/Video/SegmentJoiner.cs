using System.Globalization;
using System.Text;
using FFMpegCore;
using FFMpegCore.Enums;

namespace StableVsr.IO;

/// <summary>
/// Joins a sink's committed segments into the final file without re-encoding (FFmpeg's concat demuxer, stream copy) and
/// muxes the source video's audio, subtitles, attachments, chapters and metadata in, into a temporary file.
/// </summary>
internal static class SegmentJoiner
{
    /// <summary>The concat list's file name in the work folder.</summary>
    public const string ListFileName = "video-segments.ffconcat";

    /// <summary>
    /// Writes the concat list: each segment with its exact duration, so timestamps continue across segments at the frame
    /// rate (without it the demuxer takes each file's duration as muxed, rounded, and leaves gaps). Durations are given in
    /// microseconds as differences of rounded running totals, so rounding never accumulates.
    /// </summary>
    public static string WriteList(string workFolder, IReadOnlyList<SegmentEntry> segments, VideoRational frameRate)
    {
        var text = new StringBuilder("ffconcat version 1.0\n");
        long frames = 0;
        foreach (var segment in segments)
        {
            var start = Microseconds(frames, frameRate);
            frames += segment.Frames;
            var duration = Microseconds(frames, frameRate) - start;
            text.Append(CultureInfo.InvariantCulture, $"file '{segment.File.Replace("'", @"'\''", StringComparison.Ordinal)}'\n")
                .Append(CultureInfo.InvariantCulture, $"duration {duration / 1_000_000}.{duration % 1_000_000:D6}\n");
        }

        var path = Path.Combine(workFolder, ListFileName);
        DurableFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
        return path;
    }

    /// <summary>Builds the ffmpeg run that joins <paramref name="listPath"/> (and muxes <paramref name="source"/>) into <paramref name="temporaryPath"/>.</summary>
    public static FFMpegArgumentProcessor Build(
        string listPath,
        string temporaryPath,
        OutputContainer container,
        EncodeSettings settings,
        VideoEncodeOptions options,
        SinkSourceVideo? source,
        FFmpegErrorLog errors)
    {
        var segmentsOffset = source is { VideoStartOffset: var offset } && offset > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"-itsoffset {offset.TotalSeconds:0.######} ")
            : string.Empty;
        var arguments = FFMpegArguments.FromFileInput(listPath, false, input => input.WithCustomArgument(segmentsOffset + "-f concat -safe 0"));
        if (source is not null)
        {
            arguments = arguments.AddFileInput(source.Path, false);
        }

        return arguments
            .OutputToFile(temporaryPath, true, output => output.WithCustomArgument(OutputArguments(container, settings, options, source)))
            .WithLogLevel(FFMpegLogLevel.Error)
            .NotifyOnStandardError(errors.Add);
    }

    /// <summary>The output options of the join: which streams, copied or (subtitles only) converted, metadata, rotation, timescale, container.</summary>
    internal static string OutputArguments(OutputContainer container, EncodeSettings settings, VideoEncodeOptions options, SinkSourceVideo? source)
    {
        var text = new StringBuilder("-map 0:v:0");
        if (source is not null)
        {
            text.Append(" -map 1:a? -map 1:s?");
            if (container.IsMatroska && source.HasAttachments)
            {
                // Fonts of ASS subtitles travel as attachments; only Matroska holds them.
                text.Append(" -map 1:t?");
            }
        }

        text.Append(" -c copy");
        if (source is not null)
        {
            for (var i = 0; i < source.SubtitleCodecs.Count; i++)
            {
                var codec = container.SubtitleCodecFor(source.SubtitleCodecs[i]);
                if (codec != "copy")
                {
                    text.Append(CultureInfo.InvariantCulture, $" -c:s:{i} {codec}");
                }
            }

            // Mapping any stream's metadata turns off FFmpeg's default per-stream copy, so every stream is mapped explicitly.
            text.Append(CultureInfo.InvariantCulture, $" -map_metadata 1 -map_chapters 1 -map_metadata:s:v:0 1:s:v:{source.VideoOrdinal}");
            for (var i = 0; i < source.AudioStreams; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $" -map_metadata:s:a:{i} 1:s:a:{i}");
            }

            for (var i = 0; i < source.SubtitleCodecs.Count; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $" -map_metadata:s:s:{i} 1:s:s:{i}");
            }


            // The source's encoder tag would name its codec, not the one the frames are now encoded with.
            text.Append(" -metadata:s:v:0 encoder=");
            if (source.Rotation != 0 && container.StoresRotation)
            {
                text.Append(CultureInfo.InvariantCulture, $" -metadata:s:v:0 rotate={source.Rotation}");
            }
        }

        if (!container.IsMatroska)
        {
            if (settings.Codec == VideoCodec.H265)
            {
                text.Append(" -tag:v hvc1");
            }

            if (Timescale(options.TimeBase ?? source?.TimeBase, settings.FrameRate) is { } timescale)
            {
                text.Append(CultureInfo.InvariantCulture, $" -video_track_timescale {timescale}");
            }

            text.Append(" -movflags +faststart");
        }

        text.Append(CultureInfo.InvariantCulture, $" -fflags +bitexact -f {container.Muxer}");
        return text.ToString();
    }

    /// <summary>
    /// The MP4/MOV track timescale for a wished time base 1/N: N when every frame lasts a whole number of 1/N units at
    /// <paramref name="frameRate"/>, else null (FFmpeg then picks one that does).
    /// </summary>
    internal static int? Timescale(VideoRational? timeBase, VideoRational frameRate) =>
        timeBase is { Numerator: 1, Denominator: > 0 and var scale } && (long)scale * frameRate.Denominator % frameRate.Numerator == 0
            ? scale
            : null;

    private static long Microseconds(long frames, VideoRational frameRate) =>
        (long)Math.Round((decimal)frames * 1_000_000m * frameRate.Denominator / frameRate.Numerator, MidpointRounding.AwayFromZero);
}
