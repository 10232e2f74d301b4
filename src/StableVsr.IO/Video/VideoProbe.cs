using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.RegularExpressions;
using FFMpegCore;
using FFMpegCore.Exceptions;
using Microsoft.Extensions.Logging;

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

        // A job probes its input several times; a file unchanged since its last probe is not read through again.
        var stamp = MediaAnalysisCache.Stamp(path);
        if (MediaAnalysisCache.TryGet(stamp, countPackets, out var known))
        {
            return known;
        }

        await tools.FFprobeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var analysis = await FFProbe.AnalyseAsync(path, tools.Options, countPackets ? "-count_packets" : null, cancellationToken).ConfigureAwait(false);
            MediaAnalysisCache.Add(stamp, countPackets, analysis);
            return analysis;
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

    /// <summary>
    /// The video packets a file written here holds, counted by reading it through (no decoding): the proof that a segment
    /// or an output is whole before it is relied on. 0 when ffprobe cannot read it.
    /// </summary>
    public static async Task<int> CountVideoPacketsAsync(FFmpegTools tools, string path, CancellationToken cancellationToken)
    {
        try
        {
            var analysis = await FFProbe.AnalyseAsync(path, tools.Options, "-count_packets", cancellationToken).ConfigureAwait(false);
            var video = analysis.VideoStreams.FirstOrDefault();
            return video is null ? 0 : ParseCount(Extension(analysis.Raw.Streams.First(s => s.Index == video.Index), "nb_read_packets")) ?? 0;
        }
        catch (Exception e) when (e is FFMpegException or JsonException)
        {
            return 0;
        }
    }

    /// <summary>Probes <paramref name="path"/> (counting packets) and checks that it has a video stream with frames.</summary>
    /// <exception cref="InvalidInputException">The file cannot be read, has no video stream, no frames, or fewer than its header announces.</exception>
    public static async Task<VideoFileInfo> ProbeAsync(FFmpegTools tools, string path, ILogger logger, CancellationToken cancellationToken)
    {
        var analysis = await AnalyseAsync(tools, path, countPackets: true, cancellationToken).ConfigureAwait(false);
        return Describe(analysis, path, logger);
    }

    /// <summary>The <see cref="VideoFileInfo"/> of an analysis made with packet counting, after the checks <see cref="ProbeAsync"/> names.</summary>
    internal static VideoFileInfo Describe(IMediaAnalysis analysis, string path, ILogger logger)
    {
        CheckComplete(analysis, path, logger);
        var video = PrimaryVideo(analysis, path);
        var raw = analysis.Raw.Streams.First(s => s.Index == video.Index);
        var duration = StreamDuration(video, analysis);
        var frameCount = CountFrames(path, raw, video.Index);
        var (frameRate, variable) = Timing(raw, path, frameCount, duration);
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

    /// <summary>
    /// Reads what ffprobe reported while it read the file through: a demuxer that hit the end of a file cut short says so
    /// (Matroska: "File ended prematurely"; MP4: "partial file"), which is the only sign of truncation in containers
    /// without a frame count. Other complaints are passed on as a warning, since many playable files have a few.
    /// </summary>
    /// <exception cref="InvalidInputException">ffprobe found the file cut short.</exception>
    private static void CheckComplete(IMediaAnalysis analysis, string path, ILogger logger)
    {
        var complaints = analysis.StandardError?.Where(line => !string.IsNullOrWhiteSpace(line)).ToArray() ?? [];
        if (complaints.Length == 0)
        {
            return;
        }

        var said = string.Join(" | ", complaints.Take(6));
        if (complaints.Any(line => TruncationMessage().IsMatch(line)))
        {
            throw new InvalidInputException($"'{path}' is truncated (the file ends before its content does). Use the complete file. ffprobe says: {said}");
        }

        LogProblems(logger, path, said);
    }

    /// <summary>
    /// The rate frames are written at, and whether the stream's timing is variable. ffprobe's nominal rate
    /// (<c>r_frame_rate</c>) is the rate of a constant-rate stream; when the frames present do not fill the stream's
    /// duration at that rate (more than 1.5 frames or 0.5% off, beyond container rounding), the timing is variable and the
    /// rate is the average, frames / duration, which keeps the duration (and so the sync with audio) when the frames are
    /// written back at a constant rate. ffprobe's own average cannot be used for that: Matroska reports the nominal rate
    /// as its average.
    /// </summary>
    /// <exception cref="InvalidInputException">The stream has no rate at all.</exception>
    private static (VideoRational Rate, bool Variable) Timing(FFProbeStream raw, string path, int frameCount, TimeSpan duration)
    {
        var nominal = Rational(raw.FrameRate);
        var average = Rational(raw.AvgFrameRate);
        var rate = nominal.IsPositive ? nominal : average;
        if (!rate.IsPositive)
        {
            throw new InvalidInputException($"'{path}' has no usable frame rate for its video stream {raw.Index} (ffprobe gives '{raw.AvgFrameRate}' and '{raw.FrameRate}').");
        }

        var framesAtRate = duration.TotalSeconds * rate.ToDouble();
        if (duration <= TimeSpan.Zero || Math.Abs(framesAtRate - frameCount) <= Math.Max(1.5, 0.005 * frameCount))
        {
            return (rate, false);
        }

        // frames / duration, exact to the microsecond, as a reduced fraction.
        var microseconds = (long)Math.Round(duration.TotalMilliseconds * 1000);
        var numerator = frameCount * 1_000_000L;
        var divisor = (long)BigInteger.GreatestCommonDivisor(numerator, microseconds);
        return (new VideoRational(checked((int)(numerator / divisor)), checked((int)(microseconds / divisor))), true);
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

    private static int CountFrames(string path, FFProbeStream raw, int index)
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

    [GeneratedRegex(@"ended prematurely|partial file|truncat|unexpected end|end of file", RegexOptions.IgnoreCase)]
    private static partial Regex TruncationMessage();

    [GeneratedRegex(@"^(\d+):(\d+):(\d+(?:\.\d+)?)")]
    private static partial Regex DurationTag();

    [GeneratedRegex(@"(?:p|gray|ya)(\d{1,2})(?:le|be)$")]
    private static partial Regex HighBitDepthFormat();

    [LoggerMessage(EventId = LoggerEventIds.ProbeProblems, Level = LogLevel.Warning, Message = "ffprobe reports problems in {File}: {Messages}")]
    private static partial void LogProblems(ILogger logger, string file, string messages);
}
