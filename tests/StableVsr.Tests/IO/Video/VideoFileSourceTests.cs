using StableVsr.IO;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.IO.Video;

public class VideoFileSourceTests
{
    private TempFolder temp = null!;

    [SetUp]
    public void CreateFolder() => temp = new TempFolder();

    [TearDown]
    public void DeleteFolder() => temp.Dispose();

    [Test]
    public async Task ReadsEveryFrameAsFFmpegDecodesIt()
    {
        var path = TestMedia.PatternWithAudio(temp.File("pattern.mp4"));
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
        var info = await new VideoFileSource(TestMedia.PatternWithAudio(temp.File("pattern.mp4"))).ProbeAsync();

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
