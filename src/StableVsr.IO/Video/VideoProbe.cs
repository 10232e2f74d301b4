using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FFMpegCore;
using FFMpegCore.Exceptions;

namespace StableVsr.IO;

/// <summary>
/// Runs ffprobe through FFMpegCore and turns its answer into a <see cref="VideoFileInfo"/>, refusing files that cannot be
/// read as a video: not media, corrupt or truncated (ffprobe's reason is quoted), no video stream, no frames.
/// </summary>
internal static partial class VideoProbe
{
    private static readonly string[] AlphaFormatPrefixes =
        ["yuva", "gbrap", "ya8", "ya16", "rgba", "bgra", "argb", "abgr", "ayuv", "vuya", "rgbaf"];

    /// <summary>
    /// Runs ffprobe on <paramref name="path"/>; with <paramref name="countPackets"/> it also reads the file through once
    /// (demuxing, no decoding) to count each stream's packets.
    /// </summary>
    /// <exception cref="InvalidInputException">The file is missing, unreadable or not media, or FFmpeg is missing.</exception>
    public static async Task<IMediaAnalysis> AnalyseAsync(FFmpegTools tools, string path, bool countPackets, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new InvalidInputException(Directory.Exists(path)
                ? $"'{path}' is a folder, not a video file."
                : $"Video file '{path}' does not exist.");
        }

        await tools.FFprobeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await FFProbe.AnalyseAsync(path, tools.Options, countPackets ? "-count_packets" : null, cancellationToken).ConfigureAwait(false);
        }
        catch (FFProbeProcessException e)
        {
            throw new InvalidInputException(
                $"'{path}' cannot be read as a video: it is corrupt, truncated or not a media file. ffprobe says: {string.Join(" | ", e.StandardError)}", e);
        }
        catch (Exception e) when (e is FFMpegException or JsonException)
        {
            throw new InvalidInputException($"'{path}' cannot be read as a video: ffprobe's answer was not usable ({e.Message}).", e);
        }
    }

    /// <summary>Probes <paramref name="path"/> (counting packets) and checks that it has a video stream with frames.</summary>
    /// <exception cref="InvalidInputException">The file cannot be read, has no video stream, no frames, or fewer than its header announces.</exception>
    public static async Task<VideoFileInfo> ProbeAsync(FFmpegTools tools, string path, CancellationToken cancellationToken)
    {
        var analysis = await AnalyseAsync(tools, path, countPackets: true, cancellationToken).ConfigureAwait(false);
        return Describe(analysis, path);
    }

    /// <summary>The <see cref="VideoFileInfo"/> of an analysis made with packet counting, after the checks <see cref="ProbeAsync"/> names.</summary>
    internal static VideoFileInfo Describe(IMediaAnalysis analysis, string path)
    {
        var video = PrimaryVideo(analysis, path);
        var raw = analysis.Raw.Streams.First(s => s.Index == video.Index);
        var frameRate = AverageFrameRate(raw, path);
        var nominal = Rational(raw.FrameRate);
        // Containers round the average of a constant-rate stream (2997/100 for 30000/1001), so only a real difference counts.
        var variable = nominal.IsPositive && Math.Abs(nominal.ToDouble() - frameRate.ToDouble()) > 0.005 * nominal.ToDouble();
        var duration = StreamDuration(video, analysis);
        var frameCount = CountFrames(path, raw, video.Index, frameRate, duration, variable);
        return new VideoFileInfo
        {
            Path = path,
            ContainerFormat = analysis.Format.FormatName,
            VideoStreamIndex = video.Index,
            VideoCodec = video.CodecName ?? "unknown",
            Width = video.Width ?? 0,
            Height = video.Height ?? 0,
            PixelFormat = video.PixelFormat ?? string.Empty,
            BitDepth = BitDepth(raw.BitsPerRawSample, video.PixelFormat),
            HasAlpha = HasAlpha(video.PixelFormat),
            FrameRate = frameRate,
            IsVariableFrameRate = variable,
            TimeBase = TimeBase(raw),
            FrameCount = frameCount,
            Duration = duration,
            Rotation = video.Rotation,
            AudioTracks = analysis.AudioStreams.Select(Track).ToArray(),
            SubtitleTracks = analysis.SubtitleStreams.Select(Track).ToArray(),
        };
    }

    /// <summary>A video stream's average frame rate, or its nominal rate when the average is unknown.</summary>
    /// <exception cref="InvalidInputException">Neither is known.</exception>
    internal static VideoRational AverageFrameRate(FFProbeStream raw, string path)
    {
        var average = Rational(raw.AvgFrameRate);
        var nominal = Rational(raw.FrameRate);
        var frameRate = average.IsPositive ? average : nominal;
        return frameRate.IsPositive
            ? frameRate
            : throw new InvalidInputException($"'{path}' has no usable frame rate for its video stream {raw.Index} (ffprobe gives '{raw.AvgFrameRate}' and '{raw.FrameRate}').");
    }

    /// <summary>A stream's time base, or default when ffprobe gives none.</summary>
    internal static VideoRational TimeBase(FFProbeStream raw) => Rational(Extension(raw, "time_base"));

    /// <summary>The video stream that is read: the first that is not an attached (cover) picture.</summary>
    /// <exception cref="InvalidInputException">There is none.</exception>
    internal static VideoStream PrimaryVideo(IMediaAnalysis analysis, string path)
    {
        var video = analysis.VideoStreams.FirstOrDefault(s => s.Disposition?.GetValueOrDefault("attached_pic") != true);
        if (video is null || video.Width is not > 0 || video.Height is not > 0)
        {
            var streams = analysis.Raw.Streams.Count == 0
                ? "no streams at all"
                : string.Join(", ", analysis.Raw.Streams.Select(s => $"{s.CodecType} ({s.CodecName})"));
            throw new InvalidInputException($"'{path}' has no video stream to upscale; it holds {streams}.");
        }

        return video;
    }

    /// <summary>The ordinal of the primary video stream among the file's video streams (for FFmpeg's "v:N" specifiers).</summary>
    internal static int VideoOrdinal(IMediaAnalysis analysis, int streamIndex) =>
        analysis.VideoStreams.Select((s, i) => (s.Index, i)).First(p => p.Index == streamIndex).i;

    /// <summary>A stream's value that FFMpegCore does not map (time_base, nb_frames, nb_read_packets), as text.</summary>
    internal static string? Extension(FFProbeStream stream, string key) =>
        stream.ExtensionData is { } data && data.TryGetValue(key, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString()
            : null;

    private static int CountFrames(string path, FFProbeStream raw, int index, VideoRational frameRate, TimeSpan duration, bool variable)
    {
        var stored = ParseCount(Extension(raw, "nb_frames"));
        var counted = ParseCount(Extension(raw, "nb_read_packets")) ?? 0;
        if (counted == 0)
        {
            throw new InvalidInputException(
                $"'{path}' has a video stream ({index}) but no frames in it{(stored is > 0 ? $" although its header announces {stored}; the file is truncated" : string.Empty)}.");
        }

        if (stored is { } announced && counted < announced)
        {
            throw new InvalidInputException(
                $"'{path}' is truncated: its header announces {announced} video frames but only {counted} are in the file. Use the complete file (or re-download it).");
        }

        // Without a stored count (Matroska), a file cut short still carries the full duration in its header; compare the
        // frames present with what that duration holds at a constant rate (one frame and 1% of slack for rounding).
        if (stored is null && !variable && duration > TimeSpan.Zero)
        {
            var expected = (int)Math.Floor(duration.TotalSeconds * frameRate.ToDouble());
            if (counted < expected - 1 - (expected / 100))
            {
                throw new InvalidInputException(
                    $"'{path}' is truncated: its header gives a duration of {duration.TotalSeconds:F3} s ({expected} frames at {frameRate} fps) " +
                    $"but only {counted} video frames are in the file. Use the complete file.");
            }
        }

        return stored ?? counted;
    }

    private static TimeSpan StreamDuration(VideoStream video, IMediaAnalysis analysis)
    {
        if (video.Duration > TimeSpan.Zero)
        {
            return video.Duration;
        }

        // Matroska keeps each stream's duration in a DURATION tag ("00:00:00.501000000"), with more digits than TimeSpan parses.
        if (video.Tags is { } tags && tags.FirstOrDefault(t => string.Equals(t.Key, "DURATION", StringComparison.OrdinalIgnoreCase)).Value is { } text)
        {
            var match = DurationTag().Match(text);
            if (match.Success)
            {
                return TimeSpan.FromHours(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))
                    + TimeSpan.FromMinutes(int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
                    + TimeSpan.FromSeconds(double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
            }
        }

        return analysis.Format.Duration;
    }

    private static VideoRational Rational(string? text) => VideoRational.TryParse(text, out var value) ? value : default;

    private static int? ParseCount(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : null;

    private static int BitDepth(string? bitsPerRawSample, string? pixelFormat)
    {
        if (int.TryParse(bitsPerRawSample, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bits) && bits > 0)
        {
            return bits;
        }

        if (pixelFormat is null)
        {
            return 8;
        }

        // Packed 16-bit RGB formats name the bits per pixel (rgb48le, rgba64le); planar and grey ones the bits per sample (yuv420p10le, gray12le).
        if (pixelFormat.Contains("48", StringComparison.Ordinal) || pixelFormat.Contains("64", StringComparison.Ordinal))
        {
            return 16;
        }

        var match = HighBitDepthFormat().Match(pixelFormat);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 8;
    }

    private static bool HasAlpha(string? pixelFormat) =>
        pixelFormat is not null && AlphaFormatPrefixes.Any(prefix => pixelFormat.StartsWith(prefix, StringComparison.Ordinal));

    private static VideoFileTrack Track(MediaStream stream) =>
        new(stream.Index, stream.CodecName ?? "unknown", stream.Language, stream.Tags?.FirstOrDefault(t => string.Equals(t.Key, "title", StringComparison.OrdinalIgnoreCase)).Value);

    [GeneratedRegex(@"^(\d+):(\d+):(\d+(?:\.\d+)?)")]
    private static partial Regex DurationTag();

    [GeneratedRegex(@"(?:p|gray|ya)(\d{1,2})(?:le|be)$")]
    private static partial Regex HighBitDepthFormat();
}
