using StableVsr.IO;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.IO.Video;

[Category("Video")]
[Parallelizable(ParallelScope.Self)]
public class VideoFileSourceTests : TempFolderTests
{
    [Test]
    public async Task ReadsEveryFrameAsFFmpegDecodesIt()
    {
        var path = TestMedia.PatternWithAudio(Temp.File("pattern.mp4"));
        var expected = TestMedia.DecodeRgb(path);

        var frames = await ReadAllAsync(new VideoFileSource(path));

        Assert.That(frames, Has.Count.EqualTo(TestMedia.Frames));
        Assert.That(frames.Select(f => (f.Width, f.Height)), Is.All.EqualTo((TestMedia.Width, TestMedia.Height)));
        Assert.That(frames.Select(f => f.Index), Is.EqualTo(Enumerable.Range(0, TestMedia.Frames)));
        Assert.That(frames[0].Name, Is.EqualTo("frame_000000.png"));
        Assert.That(frames.SelectMany(f => f.Rgb.ToArray()).ToArray(), Is.EqualTo(expected), "the frames are ffmpeg's own RGB24 decode, byte for byte");
    }

    [Test]
    public async Task ProbeReportsSizeTimingAndStreams()
    {
        var info = await new VideoFileSource(TestMedia.PatternWithAudio(Temp.File("pattern.mp4"))).ProbeAsync();

        Assert.That((info.Width, info.Height), Is.EqualTo((TestMedia.Width, TestMedia.Height)));
        Assert.That(info.FrameRate, Is.EqualTo(new VideoRational(25, 1)));
        Assert.That(info.TimeBase, Is.EqualTo(new VideoRational(1, 12800)), "MP4's usual timescale for 25 fps");
        Assert.That(info.FrameCount, Is.EqualTo(TestMedia.Frames));
        Assert.That(info.Duration.TotalSeconds, Is.EqualTo(0.48).Within(1e-6));
        Assert.That((info.VideoCodec, info.PixelFormat, info.BitDepth, info.HasAlpha), Is.EqualTo(("h264", "yuv420p", 8, false)));
        Assert.That(info.IsVariableFrameRate, Is.False);
        Assert.That(info.Rotation, Is.Zero);
        Assert.That(info.AudioTracks.Select(t => (t.Codec, t.Language)), Is.EqualTo(new[] { ("aac", "fra") }));
        Assert.That(info.SubtitleTracks, Is.Empty);
    }

    [TestCase("-c:v ffv1 -pix_fmt yuv420p10le", 10, false)]
    [TestCase("-c:v ffv1 -pix_fmt yuva420p", 8, true)]
    public async Task DeepAndAlphaVideoIsReadAsFFmpegConvertsItToRgb24(string codec, int bitDepth, bool alpha)
    {
        var path = TestMedia.Pattern(Temp.File("deep.mkv"), codec);
        var source = new VideoFileSource(path);

        var info = await source.ProbeAsync();
        var frames = await ReadAllAsync(source);

        Assert.That((info.BitDepth, info.HasAlpha), Is.EqualTo((bitDepth, alpha)));
        Assert.That(info.FrameCount, Is.EqualTo(TestMedia.Frames), "Matroska stores no frame count: the packets are counted");
        Assert.That(frames.SelectMany(f => f.Rgb.ToArray()).ToArray(), Is.EqualTo(TestMedia.DecodeRgb(path)), "8-bit RGB as FFmpeg converts it, alpha dropped");
    }

    [Test]
    public async Task VariableRateVideoIsReadOnceAndWrittenAtItsAverageRate()
    {
        // Six frames 40 ms apart, a 280 ms gap, six more: 12 frames over 0.72 s, nominally 25 fps, with a 0.72 s tone.
        var path = Temp.File("vfr.mkv");
        TestMedia.FFmpeg($"-f lavfi -i testsrc2=size=40x32:rate=25 -f lavfi -i sine=duration=0.72 -frames:v 12 -vf \"setpts='(N+6*gte(N,6))/25/TB'\" -fps_mode passthrough -c:v ffv1 -c:a aac \"{path}\"");
        var source = new VideoFileSource(path);

        var info = await source.ProbeAsync();
        var frames = await ReadAllAsync(source);

        Assert.That(info.IsVariableFrameRate, Is.True);
        Assert.That(info.FrameRate.ToDouble(), Is.InRange(12 / 0.76, 12 / 0.68), "12 frames over 0.72 s, within a frame of Matroska's duration");
        Assert.That(frames, Has.Count.EqualTo(12), "no frame duplicated to fill the gap");
        Assert.That(frames.SelectMany(f => f.Rgb.ToArray()).ToArray(), Is.EqualTo(TestMedia.DecodeRgb(path)));

        var output = Temp.File("cfr.mp4");
        await using (var sink = new VideoFileSink(output, Temp.File("work"), new VideoEncodeOptions { SourceVideo = path, Preset = "ultrafast" }))
        {
            await VideoFileSinkTests.WriteWindowsAsync(sink, frames, window: 12);
            await sink.CompleteAsync();
        }

        var video = TestMedia.Streams(TestMedia.Probe(output), "video").Single();
        Assert.That(TestMedia.Seconds(video), Is.EqualTo(0.72).Within(0.06), "constant rate at the average keeps the duration, within a frame");
    }

    [Test]
    public async Task ASlowReaderHoldsFFmpegBackAndStillGetsEveryFrame()
    {
        // 200 frames of 64x64 (12 KB each, 2.4 MB in all): far more than the queue and the OS pipe buffer hold.
        var path = TestMedia.Pattern(Temp.File("long.mkv"), "-c:v ffv1", width: 64, height: 64, frames: 200);
        var info = await new VideoFileSource(path).ProbeAsync();
        var ffmpeg = await new FFmpegTools().FFmpegAsync(CancellationToken.None);
        await using var decoder = RawVideoDecoder.Start(ffmpeg, VideoFileSource.DecodeArguments(info), 64 * 64 * 3, VideoFileSource.ReadAhead);

        Assert.That(await decoder.Frames.WaitToReadAsync(), Is.True);
        await Task.Delay(1000);
        Assert.That(decoder.Frames.Count, Is.LessThanOrEqualTo(VideoFileSource.ReadAhead), "the queue is bounded");
        Assert.That(decoder.CompletionAsync().IsCompleted, Is.False, "ffmpeg waits for the reader instead of decoding everything");

        var read = 0;
        await foreach (var frame in decoder.Frames.ReadAllAsync())
        {
            read++;
            if (read % 50 == 0)
            {
                await Task.Delay(50);
            }
        }

        Assert.That(await decoder.CompletionAsync(), Is.Zero);
        Assert.That(read, Is.EqualTo(200), "every frame arrives, also those ffmpeg wrote just before it exited");
    }

    [Test]
    public async Task FingerprintFollowsTheFileWithoutDecodingIt()
    {
        var path = TestMedia.PatternWithAudio(Temp.File("a.mp4"));
        var other = TestMedia.PatternWithAudio(Temp.File("b.mp4"), frames: 10);

        var first = await new VideoFileSource(path).FingerprintAsync();
        Assert.That(await new VideoFileSource(path).FingerprintAsync(), Is.EqualTo(first), "stable");
        Assert.That(first, Does.StartWith("video:"));
        Assert.That(await new VideoFileSource(other).FingerprintAsync(), Is.Not.EqualTo(first), "another video");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(-5));
        Assert.That(await new VideoFileSource(path).FingerprintAsync(), Is.Not.EqualTo(first), "the same file, modified");
    }

    private static async Task<List<VideoFrame>> ReadAllAsync(IFrameSource source)
    {
        var frames = new List<VideoFrame>();
        await foreach (var frame in source.ReadAsync())
        {
            frames.Add(frame);
        }

        return frames;
    }
}
