using System.Diagnostics;
using StableVsr.IO;

namespace StableVsr.Benchmarks.IO;

/// <summary>Makes the suites' 1280x720 test videos with the system's ffmpeg (lavfi's testsrc2 pattern, 25 fps).</summary>
internal static class BenchmarkVideos
{
    public const int Width = 1280;

    public const int Height = 720;

    /// <summary>A pattern video of <paramref name="frames"/> frames in <paramref name="codec"/> (H.264 CRF 18 in MP4, or FFV1 in Matroska).</summary>
    public static string Make(string folder, VideoCodec codec, int frames)
    {
        var (extension, options) = codec == VideoCodec.Ffv1
            ? (".mkv", "-c:v ffv1 -level 3 -g 1")
            : (".mp4", "-c:v libx264 -crf 18 -preset veryfast -pix_fmt yuv420p");
        var path = Path.Combine(folder, $"pattern-{codec}-{frames}{extension}");
        using var process = Process.Start(new ProcessStartInfo(
            "ffmpeg",
            $"-nostdin -v error -y -f lavfi -i testsrc2=size={Width}x{Height}:rate=25 -frames:v {frames} {options} \"{path}\"")
        {
            RedirectStandardError = true,
        })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? path : throw new InvalidOperationException($"ffmpeg could not make {path}: {error}");
    }
}
