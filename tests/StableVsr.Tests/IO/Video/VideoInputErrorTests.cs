using StableVsr.IO;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.IO.Video;

/// <summary>Every bad video input gives an <see cref="InvalidInputException"/> that names the file and says why.</summary>
[Category("Video")]
[Parallelizable(ParallelScope.Self)]
public class VideoInputErrorTests : TempFolderTests
{
    [Test]
    public void NotAVideoIsRefusedWithFFprobesReason()
    {
        var path = Temp.File("noise.mp4");
        File.WriteAllBytes(path, TestMedia.Noise(1, 40, 40, seed: 1)[0].Rgb.ToArray());

        var message = ReadFails(path);

        Assert.That(message, Does.Contain(path).And.Contain("corrupt, truncated or not a media file").And.Contain("ffprobe says").And.Contain("Invalid data"));
    }

    [Test]
    public void TruncatedMp4IsRefused()
    {
        // Index first (faststart), so the header survives and announces frames the file no longer holds.
        var path = TestMedia.PatternWithAudio(Temp.File("full.mp4"), extraOutput: "-movflags +faststart");
        var cut = Temp.File("cut.mp4");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);

        var message = ReadFails(cut);

        Assert.That(message, Does.Contain(cut).And.Contain("truncated"));
    }

    [Test]
    public void TruncatedMatroskaIsRefused()
    {
        var path = TestMedia.Pattern(Temp.File("full.mkv"), "-c:v ffv1", frames: 25);
        var cut = Temp.File("cut.mkv");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        var message = ReadFails(cut);

        Assert.That(message, Does.Contain(cut).And.Contain("truncated").And.Contain("ffprobe says").And.Contain("File ended prematurely"));
    }

    [Test]
    public void AudioOnlyFileHasNoVideoStream()
    {
        var path = Temp.File("tone.m4a");
        TestMedia.FFmpeg($"-f lavfi -i sine=duration=0.3 -c:a aac \"{path}\"");

        Assert.That(ReadFails(path), Does.Contain(path).And.Contain("no video stream").And.Contain("audio (aac)"));
    }

    [Test]
    public void VideoStreamWithoutFramesIsRefused()
    {
        // The video ends before the output starts, so the stream exists in the header with no frame in it.
        var path = Temp.File("empty.mkv");
        TestMedia.FFmpeg($"-f lavfi -i testsrc2=size=40x32:rate=25:duration=0.04 -f lavfi -i sine=duration=1 -ss 0.5 -c:v libx264 -c:a aac \"{path}\"");

        Assert.That(ReadFails(path), Does.Contain(path).And.Contain("no frames"));
    }

    [Test]
    public void MissingFileAndFolderAreNamed()
    {
        Assert.That(ReadFails(Temp.File("absent.mp4")), Does.Contain("absent.mp4").And.Contain("does not exist"));
        Assert.That(ReadFails(Temp.Path), Does.Contain("is a folder"));
    }

    [Test]
    public void MissingFFmpegNamesTheInstallCommands()
    {
        var emptyFolder = Directory.CreateDirectory(Temp.File("no-ffmpeg")).FullName;
        var tools = new FFmpegTools(new FFMpegCore.FFOptions { BinaryFolder = emptyFolder });
        var path = TestMedia.PatternWithAudio(Temp.File("ok.mp4"));

        var source = Assert.ThrowsAsync<InvalidInputException>(async () => await new VideoFileSource(path, tools).ProbeAsync())!.Message;
        var sink = Assert.ThrowsAsync<InvalidInputException>(async () =>
        {
            await using var output = new VideoFileSink(Temp.File("out.mp4"), Temp.File("work"), null, tools);
            await output.WriteAsync(TestMedia.Noise(1, 8, 8, seed: 1)[0]);
        })!.Message;

        foreach (var message in new[] { source, sink })
        {
            Assert.That(message, Does.Contain("was not found in '" + emptyFolder + "'"));
            Assert.That(message, Does.Contain("apt-get install ffmpeg").And.Contain("brew install ffmpeg").And.Contain("winget install"));
            Assert.That(message, Does.Contain("Image folders work without FFmpeg"));
        }
    }

    [Test]
    [Platform("Linux,MacOsX")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TooOldFFmpegSaysWhichVersionIsNeeded()
    {
        // A stand-in for Ubuntu 22.04's FFmpeg 4.4: it answers -version as that release does.
        var folder = Directory.CreateDirectory(Temp.File("old-ffmpeg")).FullName;
        foreach (var tool in new[] { "ffmpeg", "ffprobe" })
        {
            var script = Path.Combine(folder, tool);
            File.WriteAllText(script, "#!/bin/sh\necho 'ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021 the FFmpeg developers'\necho 'libavformat    58. 76.100 / 58. 76.100'\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var tools = new FFmpegTools(new FFMpegCore.FFOptions { BinaryFolder = folder });
        var message = Assert.ThrowsAsync<InvalidInputException>(async () => await tools.FFmpegAsync(CancellationToken.None))!.Message;

        Assert.That(message, Does.Contain("too old").And.Contain("4.4.2").And.Contain("FFmpeg 5.1 or newer").And.Contain("libavformat 58.76"));
    }

    [Test]
    public void LibavformatVersionIsReadFromTheVersionBanner()
    {
        Assert.That(FFmpegTools.ParseLibavformatVersion("ffmpeg version 5.1.9-0+deb12u1\nlibavutil      57. 28.100 / 57. 28.100\nlibavformat    59. 27.100 / 59. 27.100\n"), Is.EqualTo(new Version(59, 27)));
        Assert.That(FFmpegTools.ParseLibavformatVersion("ffmpeg version N-113000-g0123456\nlibavformat    61.  1.100 / 61.  1.100"), Is.EqualTo(new Version(61, 1)));
        Assert.That(FFmpegTools.ParseLibavformatVersion("not ffmpeg"), Is.Null);
    }

    private static string ReadFails(string path) =>
        Assert.ThrowsAsync<InvalidInputException>(async () =>
        {
            await foreach (var unused in new VideoFileSource(path).ReadAsync())
            {
            }
        })!.Message;
}
