using System.Security.Cryptography;
using StableVsr.IO;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.IO.Video;

[Category("Video")]
[Parallelizable(ParallelScope.Self)]
public class VideoFileSinkTests : TempFolderTests
{
    [TestCase(VideoCodec.H264, "h264")]
    [TestCase(VideoCodec.H265, "hevc")]
    public async Task EncodesAtTheSourceRateWithItsAudio(VideoCodec codec, string codecName)
    {
        var input = TestMedia.PatternWithAudio(Temp.File("in.mp4"));
        var output = Temp.File("out.mp4");
        var frames = new List<VideoFrame>();
        await foreach (var frame in new VideoFileSource(input).ReadAsync())
        {
            frames.Add(TestMedia.Enlarge4x(frame));
        }

        await using (var sink = new VideoFileSink(output, Temp.File("work"), new VideoEncodeOptions { Codec = codec, SourceVideo = input }))
        {
            await WriteWindowsAsync(sink, frames, window: 4);
            await sink.CompleteAsync();
        }

        var probe = TestMedia.Probe(output);
        var video = TestMedia.Streams(probe, "video").Single();
        var audio = TestMedia.Streams(probe, "audio").Single();
        var sourceAudio = TestMedia.Streams(TestMedia.Probe(input), "audio").Single();
        Assert.That(TestMedia.Text(video, "codec_name"), Is.EqualTo(codecName));
        Assert.That(TestMedia.Text(video, "nb_read_frames"), Is.EqualTo("12"));
        Assert.That((TestMedia.Text(video, "width"), TestMedia.Text(video, "height")), Is.EqualTo(("160", "128")), "4x the 40x32 source");
        Assert.That((TestMedia.Text(video, "avg_frame_rate"), TestMedia.Text(video, "r_frame_rate")), Is.EqualTo(("25/1", "25/1")));
        Assert.That(TestMedia.Text(video, "time_base"), Is.EqualTo("1/12800"), "the source's time base");
        Assert.That(TestMedia.Seconds(video), Is.EqualTo(0.48).Within(0.04), "12 frames at 25 fps, within one frame");
        Assert.That(TestMedia.Seconds(audio), Is.EqualTo(TestMedia.Seconds(sourceAudio)).Within(0.04), "the source's audio, same duration within one frame");
        Assert.That(TestMedia.Tag(audio, "language"), Is.EqualTo("fra"));
        if (codec == VideoCodec.H265)
        {
            Assert.That(TestMedia.Text(video, "codec_tag_string"), Is.EqualTo("hvc1"));
        }

        Assert.That(Directory.Exists(Temp.File("work")), Is.False, "the sink removed its segments and the then empty work folder");
        Assert.That(Directory.GetFiles(Temp.Path, "*.partial"), Is.Empty);
    }

    [Test]
    public async Task ResumedOutputEqualsAnUninterruptedOne()
    {
        var frames = TestMedia.Noise(12, 48, 32, seed: 3);
        var options = new VideoEncodeOptions { Codec = VideoCodec.H264, Preset = "veryfast" };
        var uninterrupted = Temp.File("a.mp4");
        await using (var sink = new VideoFileSink(uninterrupted, Temp.File("work-a"), options))
        {
            await WriteWindowsAsync(sink, frames, window: 4);
            await sink.CompleteAsync();
        }

        // A run that committed two windows, wrote half of the third and died.
        var resumed = Temp.File("b.mp4");
        var work = Temp.File("work-b");
        await using (var crashed = new VideoFileSink(resumed, work, options))
        {
            await WriteWindowsAsync(crashed, frames[..8], window: 4);
            await crashed.WriteAsync(frames[8]);
            await crashed.WriteAsync(frames[9]);
        }

        Assert.That(File.Exists(resumed), Is.False, "nothing final before completion");
        Assert.That(Directory.GetFiles(work, "*.partial"), Is.Empty, "the half-written segment was discarded");

        // Its journal had recorded only the first window (the second commit returned, the journal write did not happen).
        await using (var sink = new VideoFileSink(resumed, work, options))
        {
            await sink.ResumeAsync(4);
            Assert.That(sink.CommittedFrames, Is.EqualTo(4));
            await WriteWindowsAsync(sink, frames[4..], window: 4);
            await sink.CompleteAsync();
        }

        Assert.That(Hash(resumed), Is.EqualTo(Hash(uninterrupted)), "byte-identical to the uninterrupted run");
        Assert.That(TestMedia.DecodeRgb(resumed), Is.EqualTo(TestMedia.DecodeRgb(uninterrupted)));
    }

    [TestCase(".mp4", "mov_text", ".mp4", "mov_text", 90)]
    [TestCase(".mkv", "srt", ".mp4", "mov_text", 0)]
    public async Task KeepsSubtitlesMetadataAndRotation(string inputExtension, string subtitleCodec, string outputExtension, string outputSubtitleCodec, int rotation)
    {
        var input = TestMedia.PatternWithSubtitles(Temp.File("in" + inputExtension), subtitleCodec, rotation);
        var output = Temp.File("out" + outputExtension);
        var source = new VideoFileSource(input);
        var info = await source.ProbeAsync();
        Assert.That(info.Rotation, Is.EqualTo(rotation));
        Assert.That(info.SubtitleTracks.Select(t => t.Language), Is.EqualTo(new[] { "eng" }));
        await using (var sink = new VideoFileSink(output, Temp.File("work"), new VideoEncodeOptions { SourceVideo = input, Preset = "veryfast" }))
        {
            await foreach (var frame in source.ReadAsync())
            {
                Assert.That((frame.Width, frame.Height), Is.EqualTo((TestMedia.Width, TestMedia.Height)), "frames as stored, not rotated");
                await sink.WriteAsync(frame);
            }

            await sink.CompleteAsync();
        }

        var probe = TestMedia.Probe(output);
        var video = TestMedia.Streams(probe, "video").Single();
        var subtitle = TestMedia.Streams(probe, "subtitle").Single();
        Assert.That(TestMedia.Rotation(video), Is.EqualTo(rotation), "the display rotation is carried over unchanged");
        Assert.That((TestMedia.Text(subtitle, "codec_name"), TestMedia.Tag(subtitle, "language")), Is.EqualTo((outputSubtitleCodec, "eng")));
        Assert.That(TestMedia.Text(subtitle, "nb_read_frames"), Is.EqualTo("2"), "both cues");
        Assert.That(TestMedia.Tag(TestMedia.Streams(probe, "audio").Single(), "language"), Is.EqualTo("fra"));
        Assert.That(TestMedia.Tag(video, "handler_name"), Is.EqualTo("Pattern"), "the video stream's own metadata");
        Assert.That(probe.GetProperty("format").GetProperty("tags").GetProperty("title").GetString(), Is.EqualTo("Test pattern"), "the file's metadata");
    }

    [Test]
    public async Task KeepsAVideoStartingAfterItsAudioInSync()
    {
        var encoded = TestMedia.PatternWithAudio(Temp.File("plain.mp4"));
        var input = Temp.File("late.mp4");
        TestMedia.FFmpeg($"-itsoffset 0.12 -i \"{encoded}\" -i \"{encoded}\" -map 0:v -map 1:a -c copy \"{input}\"");
        var output = Temp.File("out.mp4");
        await using (var sink = new VideoFileSink(output, Temp.File("work"), new VideoEncodeOptions { SourceVideo = input, Preset = "ultrafast" }))
        {
            await foreach (var frame in new VideoFileSource(input).ReadAsync())
            {
                await sink.WriteAsync(frame);
            }

            await sink.CompleteAsync();
        }

        var probe = TestMedia.Probe(output);
        Assert.That(double.Parse(TestMedia.Text(TestMedia.Streams(probe, "video").Single(), "start_time"), System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(0.12).Within(0.001));
        Assert.That(double.Parse(TestMedia.Text(TestMedia.Streams(probe, "audio").Single(), "start_time"), System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(0).Within(0.001));
    }

    [Test]
    public async Task Ffv1RoundTripsBitExactlyLikeAPngFolder()
    {
        var input = TestMedia.PatternWithSubtitles(Temp.File("in.mkv"), "srt", rotation: 0);
        var frames = TestMedia.Noise(7, 44, 30, seed: 11);
        var output = Temp.File("lossless.mkv");
        await using (var sink = new VideoFileSink(output, Temp.File("work"), new VideoEncodeOptions { Codec = VideoCodec.Ffv1, SourceVideo = input }))
        {
            await WriteWindowsAsync(sink, frames, window: 3);
            await sink.CompleteAsync();
        }

        var pngs = new ImageFolderSink(Temp.File("png"));
        foreach (var frame in frames)
        {
            await pngs.WriteAsync(frame);
        }

        var fromVideo = new List<VideoFrame>();
        await foreach (var frame in new VideoFileSource(output).ReadAsync())
        {
            fromVideo.Add(frame);
        }

        var fromPngs = new List<VideoFrame>();
        await foreach (var frame in new ImageFolderSource(pngs.Folder).ReadAsync())
        {
            fromPngs.Add(frame);
        }

        var written = frames.SelectMany(f => f.Rgb.ToArray()).ToArray();
        Assert.That(fromVideo.SelectMany(f => f.Rgb.ToArray()).ToArray(), Is.EqualTo(written), "FFV1 gives back the written frames bit for bit");
        Assert.That(fromPngs.SelectMany(f => f.Rgb.ToArray()).ToArray(), Is.EqualTo(written), "as the PNG folder path does");
        Assert.That(TestMedia.DecodeRgb(output), Is.EqualTo(written), "and so does ffmpeg itself");
        var probe = TestMedia.Probe(output);
        var video = TestMedia.Streams(probe, "video").Single();
        Assert.That(TestMedia.Text(video, "codec_name"), Is.EqualTo("ffv1"));
        var subtitle = TestMedia.Streams(probe, "subtitle").Single();
        Assert.That((TestMedia.Text(subtitle, "codec_name"), TestMedia.Tag(subtitle, "language")), Is.EqualTo(("subrip", "eng")), "Matroska takes the subtitles as they are");
        Assert.That(TestMedia.Tag(video, "title"), Is.EqualTo("Pattern"));
    }

    [Test]
    public async Task OddSizesAreEncoded444AtTheirExactSize()
    {
        var output = Temp.File("odd.mp4");
        await using (var sink = new VideoFileSink(output, Temp.File("work"), new VideoEncodeOptions { Preset = "ultrafast" }))
        {
            await WriteWindowsAsync(sink, TestMedia.Noise(3, 41, 33, seed: 5), window: 3);
            await sink.CompleteAsync();
        }

        var video = TestMedia.Streams(TestMedia.Probe(output), "video").Single();
        Assert.That((TestMedia.Text(video, "width"), TestMedia.Text(video, "height"), TestMedia.Text(video, "pix_fmt")), Is.EqualTo(("41", "33", "yuv444p")));
        Assert.That(TestMedia.Text(video, "avg_frame_rate"), Is.EqualTo("25/1"), "25 fps without a source video");
    }

    [Test]
    public async Task FractionalRatesStayExactAcrossSegments()
    {
        var output = Temp.File("ntsc.mp4");
        var options = new VideoEncodeOptions { Preset = "ultrafast", FrameRate = new VideoRational(30000, 1001), TimeBase = new VideoRational(1, 30000) };
        await using (var sink = new VideoFileSink(output, Temp.File("work"), options))
        {
            await WriteWindowsAsync(sink, TestMedia.Noise(9, 32, 32, seed: 9), window: 3);
            await sink.CompleteAsync();
        }

        Assert.That(TestMedia.VideoTimestamps(output), Is.EqualTo(Enumerable.Range(0, 9).Select(i => i * 1001L)), "every frame exactly 1001/30000 s after the last, across segment joins");
        var video = TestMedia.Streams(TestMedia.Probe(output), "video").Single();
        Assert.That((TestMedia.Text(video, "avg_frame_rate"), TestMedia.Text(video, "time_base")), Is.EqualTo(("30000/1001", "1/30000")));
    }

    internal static async Task WriteWindowsAsync(IFrameSink sink, IReadOnlyList<VideoFrame> frames, int window)
    {
        for (var i = 0; i < frames.Count; i++)
        {
            await sink.WriteAsync(frames[i]);
            if ((i + 1) % window == 0 || i == frames.Count - 1)
            {
                await sink.CommitAsync();
            }
        }
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
