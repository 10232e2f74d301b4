using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace StableVsr.Tests.IO.Video;

/// <summary>
/// Makes real media files with the system's ffmpeg (lavfi's testsrc2 pattern and a sine tone) and reads files back with
/// ffmpeg and ffprobe directly, independently of the code under test.
/// </summary>
internal static class TestMedia
{
    /// <summary>The pattern's frames: 12 at 25 fps, 40x32, as the issue asks.</summary>
    public const int Frames = 12;

    public const int Width = 40;

    public const int Height = 32;

    /// <summary>Runs ffmpeg with <paramref name="arguments"/> (quiet, overwriting) and fails the test with its error output when it fails.</summary>
    public static void FFmpeg(string arguments) => Run("ffmpeg", "-nostdin -hide_banner -v error -y " + arguments);

    /// <summary>
    /// An MP4 of the pattern (H.264) with a sine track of the same length; <paramref name="extraOutput"/> adds output options.
    /// </summary>
    public static string PatternWithAudio(string path, int width = Width, int height = Height, int frames = Frames, string rate = "25", string extraOutput = "")
    {
        var seconds = (frames / Rate(rate)).ToString("0.######", CultureInfo.InvariantCulture);
        FFmpeg($"-f lavfi -i testsrc2=size={width}x{height}:rate={rate}:duration={seconds} -f lavfi -i sine=frequency=440:sample_rate=48000:duration={seconds} " +
               $"-c:v libx264 -pix_fmt yuv420p -c:a aac -metadata:s:a:0 language=fra {extraOutput} \"{path}\"");
        return path;
    }

    /// <summary>
    /// The pattern with audio and an English subtitle stream (from <see cref="Subtitles"/>) in <paramref name="subtitleCodec"/>
    /// (mov_text for MP4, srt for Matroska), a title on the video stream and a display rotation.
    /// </summary>
    public static string PatternWithSubtitles(string path, string subtitleCodec, int rotation)
    {
        var srt = Subtitles(System.IO.Path.ChangeExtension(path, ".srt"));
        var encoded = System.IO.Path.ChangeExtension(path, ".encoded" + System.IO.Path.GetExtension(path));
        FFmpeg($"-f lavfi -i testsrc2=size={Width}x{Height}:rate=25:duration=0.48 -f lavfi -i sine=frequency=440:sample_rate=48000:duration=0.48 -i \"{srt}\" " +
               $"-map 0:v -map 1:a -map 2:s -c:v libx264 -pix_fmt yuv420p -c:a aac -c:s {subtitleCodec} -metadata:s:s:0 language=eng -metadata:s:a:0 language=fra " +
               $"-metadata:s:v:0 title=Pattern -metadata:s:v:0 handler_name=Pattern -metadata title=\"Test pattern\" \"{encoded}\"");

        // FFmpeg 5.1 turns a rotate tag into a display matrix only when it copies the stream, so the rotation is added by a remux.
        FFmpeg($"-i \"{encoded}\" -map 0 -c copy {(rotation == 0 ? string.Empty : $"-metadata:s:v:0 rotate={rotation}")} \"{path}\"");
        File.Delete(encoded);
        return path;
    }

    /// <summary>A video-only file of the pattern with the given codec options (e.g. "-c:v ffv1 -pix_fmt yuv420p10le").</summary>
    public static string Pattern(string path, string codecOptions, int width = Width, int height = Height, int frames = Frames)
    {
        FFmpeg($"-f lavfi -i testsrc2=size={width}x{height}:rate=25 -frames:v {frames} {codecOptions} \"{path}\"");
        return path;
    }

    /// <summary>An SRT file with two cues inside the pattern's 0.48 s.</summary>
    public static string Subtitles(string path)
    {
        File.WriteAllText(path, "1\n00:00:00,000 --> 00:00:00,200\nHello\n\n2\n00:00:00,240 --> 00:00:00,440\nWorld\n");
        return path;
    }

    /// <summary>ffmpeg's own decode of the video stream to packed RGB24, frames as stored (no auto-rotation).</summary>
    public static byte[] DecodeRgb(string path)
    {
        var start = new ProcessStartInfo("ffmpeg", $"-nostdin -hide_banner -v error -noautorotate -i \"{path}\" -map 0:v:0 -fps_mode passthrough -f rawvideo -pix_fmt rgb24 pipe:1")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        using var bytes = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(bytes);
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"ffmpeg could not decode {path}: {error.Result}");
        return bytes.ToArray();
    }

    /// <summary>ffprobe's JSON (format, streams, frame counts by decoding) of <paramref name="path"/>.</summary>
    public static JsonElement Probe(string path) =>
        JsonDocument.Parse(RunForOutput("ffprobe", $"-v error -count_frames -show_format -show_streams -of json \"{path}\"")).RootElement;

    /// <summary>The video packets' presentation timestamps, in stream time base units, in presentation order.</summary>
    public static long[] VideoTimestamps(string path) =>
        RunForOutput("ffprobe", $"-v error -select_streams v:0 -show_entries packet=pts -of csv=p=0 \"{path}\"")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => long.Parse(line.Trim(), CultureInfo.InvariantCulture))
            .Order()
            .ToArray();

    /// <summary>The streams of a probe whose codec_type is <paramref name="type"/>.</summary>
    public static JsonElement[] Streams(JsonElement probe, string type) =>
        probe.GetProperty("streams").EnumerateArray().Where(s => s.GetProperty("codec_type").GetString() == type).ToArray();

    /// <summary>A stream's value as text ("" when absent).</summary>
    public static string Text(JsonElement stream, string name) =>
        stream.TryGetProperty(name, out var value) ? (value.ValueKind == JsonValueKind.String ? value.GetString()! : value.ToString()) : string.Empty;

    /// <summary>A stream's tag ("" when absent).</summary>
    public static string Tag(JsonElement stream, string name) =>
        stream.TryGetProperty("tags", out var tags) && tags.TryGetProperty(name, out var value) ? value.GetString()! : string.Empty;

    /// <summary>A stream's duration in seconds: its own, else its Matroska DURATION tag.</summary>
    public static double Seconds(JsonElement stream)
    {
        var own = Text(stream, "duration");
        if (own.Length > 0)
        {
            return double.Parse(own, CultureInfo.InvariantCulture);
        }

        var tag = Tag(stream, "DURATION");
        return TimeSpan.Parse(tag[..Math.Min(tag.Length, 16)], CultureInfo.InvariantCulture).TotalSeconds;
    }

    /// <summary>The display rotation ffprobe reports for a stream (0 without a display matrix).</summary>
    public static int Rotation(JsonElement stream) =>
        stream.TryGetProperty("side_data_list", out var list)
            ? list.EnumerateArray().Where(d => d.TryGetProperty("rotation", out _)).Select(d => d.GetProperty("rotation").GetInt32()).FirstOrDefault()
            : 0;

    /// <summary>Frames of random pixels (incompressible), numbered from <paramref name="first"/>.</summary>
    public static VideoFrame[] Noise(int count, int width, int height, int seed, int first = 0)
    {
        var random = new Random(seed);
        return Enumerable.Range(first, count).Select(i =>
        {
            var rgb = new byte[width * height * 3];
            random.NextBytes(rgb);
            return new VideoFrame(width, height, rgb, i);
        }).ToArray();
    }

    /// <summary>Nearest-neighbour 4x enlargement of a frame: a stand-in for the upscaler's output size.</summary>
    public static VideoFrame Enlarge4x(VideoFrame frame)
    {
        var (w, h) = (frame.Width * 4, frame.Height * 4);
        var source = frame.Rgb.Span;
        var rgb = new byte[w * h * 3];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                source.Slice(((y / 4 * frame.Width) + (x / 4)) * 3, 3).CopyTo(rgb.AsSpan(((y * w) + x) * 3));
            }
        }

        return new VideoFrame(w, h, rgb, frame.Index, frame.Name);
    }

    private static double Rate(string rate) =>
        rate.Contains('/', StringComparison.Ordinal)
            ? double.Parse(rate.Split('/')[0], CultureInfo.InvariantCulture) / double.Parse(rate.Split('/')[1], CultureInfo.InvariantCulture)
            : double.Parse(rate, CultureInfo.InvariantCulture);

    private static void Run(string tool, string arguments) => RunForOutput(tool, arguments);

    private static string RunForOutput(string tool, string arguments)
    {
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"{tool} is not installed ({e.Message}); the video tests need FFmpeg 5.1+: 'apt-get install -y ffmpeg' (.ci/run does this).");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            Assert.That(process.ExitCode, Is.Zero, $"{tool} {arguments} failed: {error.Result}");
            return output.Result;
        }
    }
}
