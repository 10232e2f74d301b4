using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.IO;

namespace StableVsr.Benchmarks.IO;

/// <summary>
/// <see cref="VideoFileSink"/> writing 50 or 200 frames of 1280x720 (H.264 with the default CRF 18 / preset medium, or
/// lossless FFV1), committing a segment every 25 frames as an upscaler does per window, then completing (joining the
/// segments): frames per second, and the rise of this process's resident memory during one run, flat in the video's
/// length because frames go to ffmpeg through a queue of two. The frames cycle through 8 distinct pattern frames decoded
/// once at set-up, so the set-up does not grow with the length either.
/// </summary>
[Config(typeof(VideoBenchmarkConfig))]
public class VideoEncodeBenchmarks : MeasuredBenchmark
{
    private const int Window = 25;

    private string folder = null!;
    private VideoFrame[] pattern = null!;

    /// <summary>Frames written.</summary>
    [Params(50, 200)]
    public int Frames { get; set; }

    /// <summary>The codec written.</summary>
    [Params(VideoCodec.H264, VideoCodec.Ffv1)]
    public VideoCodec Codec { get; set; }

    /// <inheritdoc />
    protected override bool MeasuresMemoryPerIteration => true;

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(VideoEncodeBenchmarks), nameof(Encode), [(nameof(Frames), Frames), (nameof(Codec), Codec)]);

    /// <summary>Decodes the 8 frames that are written over and over.</summary>
    [GlobalSetup]
    public void SetUp()
    {
        folder = Directory.CreateTempSubdirectory("stablevsr-bench-video-").FullName;
        var source = BenchmarkVideos.Make(folder, VideoCodec.Ffv1, 8);
        pattern = ReadAsync(source).GetAwaiter().GetResult();
    }

    /// <summary>Writes, commits per window, completes.</summary>
    [Benchmark(Description = "Encode 1280x720 from RGB24")]
    public long Encode() => WriteAsync().GetAwaiter().GetResult();

    /// <summary>Deletes the files.</summary>
    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
        Directory.Delete(folder, recursive: true);
    }

    private static async Task<VideoFrame[]> ReadAsync(string path)
    {
        var frames = new List<VideoFrame>();
        await foreach (var frame in new VideoFileSource(path).ReadAsync())
        {
            frames.Add(frame);
        }

        return [.. frames];
    }

    private async Task<long> WriteAsync()
    {
        var output = Path.Combine(folder, Codec == VideoCodec.Ffv1 ? "out.mkv" : "out.mp4");
        await using (var sink = new VideoFileSink(output, Path.Combine(folder, "work"), new VideoEncodeOptions { Codec = Codec }))
        {
            for (var i = 0; i < Frames; i++)
            {
                await sink.WriteAsync(pattern[i % pattern.Length].WithIndex(i));
                if ((i + 1) % Window == 0)
                {
                    await sink.CommitAsync();
                }
            }

            await sink.CompleteAsync();
        }

        var bytes = new FileInfo(output).Length;
        File.Delete(output);
        return bytes;
    }
}
