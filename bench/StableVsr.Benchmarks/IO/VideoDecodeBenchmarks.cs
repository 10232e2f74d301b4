using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.IO;

namespace StableVsr.Benchmarks.IO;

/// <summary>
/// <see cref="VideoFileSource"/> reading every frame of a 1280x720 video (H.264 or FFV1) as RGB24, for 50 and 200
/// frames: frames per second, and the rise of this process's resident memory during one read, which stays flat in the
/// video's length because frames stream through a bounded queue (ffmpeg itself runs in its own process).
/// </summary>
[Config(typeof(VideoBenchmarkConfig))]
public class VideoDecodeBenchmarks : MeasuredBenchmark
{
    private string folder = null!;
    private string path = null!;

    /// <summary>Frames in the video.</summary>
    [Params(50, 200)]
    public int Frames { get; set; }

    /// <summary>The video's codec.</summary>
    [Params(VideoCodec.H264, VideoCodec.Ffv1)]
    public VideoCodec Codec { get; set; }

    /// <inheritdoc />
    protected override bool MeasuresMemoryPerIteration => true;

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(VideoDecodeBenchmarks), nameof(Decode), [(nameof(Frames), Frames), (nameof(Codec), Codec)]);

    /// <summary>Makes the video.</summary>
    [GlobalSetup]
    public void SetUp()
    {
        folder = Directory.CreateTempSubdirectory("stablevsr-bench-video-").FullName;
        path = BenchmarkVideos.Make(folder, Codec, Frames);
    }

    /// <summary>Reads every frame.</summary>
    [Benchmark(Description = "Decode 1280x720 to RGB24")]
    public int Decode() => ReadAllAsync().GetAwaiter().GetResult();

    /// <summary>Deletes the video.</summary>
    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
        Directory.Delete(folder, recursive: true);
    }

    private async Task<int> ReadAllAsync()
    {
        var count = 0;
        await foreach (var frame in new VideoFileSource(path).ReadAsync())
        {
            count += frame.Rgb.Length > 0 ? 1 : 0;
        }

        return count == Frames ? count : throw new InvalidOperationException($"Read {count} of {Frames} frames.");
    }
}
