using System.Diagnostics;
using System.Security.Cryptography;
using StableVsr.IO;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.IO.Video;

/// <summary>
/// A video output that cannot be written or resumed fails with an <see cref="InvalidInputException"/> that says why, and
/// leaves no partial output and its committed segments intact.
/// </summary>
[Category("Video")]
[Parallelizable(ParallelScope.Self)]
public class VideoOutputErrorTests
{
    private static readonly VideoEncodeOptions Lossless = new() { Codec = VideoCodec.Ffv1 };

    private TempFolder temp = null!;
    private string? mount;

    [SetUp]
    public void CreateFolder() => temp = new TempFolder();

    [TearDown]
    public void DeleteFolder()
    {
        if (mount is not null)
        {
            Run("umount", $"-l \"{mount}\"");
            mount = null;
        }

        temp.Dispose();
    }

    [Test]
    public void BadOutputPathsAreRefusedUpFront()
    {
        var input = temp.File("in.mp4");
        Assert.That(Refused(() => new VideoFileSink(input, temp.File("w"), new VideoEncodeOptions { SourceVideo = input })), Does.Contain("is the source video itself"));
        Assert.That(Refused(() => new VideoFileSink(temp.File("out.avi"), temp.File("w"))), Does.Contain("'.avi'").And.Contain(".mp4, .m4v, .mov, .mkv"));
        Assert.That(Refused(() => new VideoFileSink(temp.File("out.mp4"), temp.File("w"), Lossless)), Does.Contain("FFV1").And.Contain("out.mkv"));
        Directory.CreateDirectory(temp.File("folder.mp4"));
        Assert.That(Refused(() => new VideoFileSink(temp.File("folder.mp4"), temp.File("w"))), Does.Contain("is a folder"));
    }

    [Test]
    public async Task BadFramesAndOptionsAreRefused()
    {
        await using var sink = new VideoFileSink(temp.File("out.mkv"), temp.File("work"), Lossless);
        Assert.That(await RefusedAsync(() => sink.CompleteAsync()), Does.Contain("No frames were written"));
        await sink.WriteAsync(TestMedia.Noise(1, 16, 16, seed: 1)[0]);
        Assert.That(await RefusedAsync(() => sink.WriteAsync(TestMedia.Noise(1, 16, 18, seed: 2, first: 1)[0])), Does.Contain("16x18").And.Contain("16x16"));

        await using var badCrf = new VideoFileSink(temp.File("crf.mp4"), temp.File("work-crf"), new VideoEncodeOptions { Crf = 60 });
        Assert.That(await RefusedAsync(() => badCrf.WriteAsync(TestMedia.Noise(1, 16, 16, seed: 1)[0])), Does.Contain("CRF 60"));
        await using var badPreset = new VideoFileSink(temp.File("preset.mp4"), temp.File("work-preset"), new VideoEncodeOptions { Preset = "warp" });
        Assert.That(await RefusedAsync(() => badPreset.WriteAsync(TestMedia.Noise(1, 16, 16, seed: 1)[0])), Does.Contain("'warp'"));
        await using var badTimeBase = new VideoFileSink(temp.File("tb.mp4"), temp.File("work-tb"), new VideoEncodeOptions { TimeBase = new VideoRational(2, 25) });
        Assert.That(await RefusedAsync(() => badTimeBase.WriteAsync(TestMedia.Noise(1, 16, 16, seed: 1)[0])), Does.Contain("2/25").And.Contain("1/N"));
    }

    [Test]
    public async Task ResumeRefusesWhatItCannotContinue()
    {
        var work = temp.File("work");
        await using (var sink = new VideoFileSink(temp.File("out.mkv"), work, Lossless))
        {
            await VideoFileSinkTests.WriteWindowsAsync(sink, TestMedia.Noise(8, 16, 16, seed: 1), window: 4);
        }

        Assert.That(await ResumeFailsAsync(work, 12, Lossless), Does.Contain("only 8 committed frames"));
        Assert.That(await ResumeFailsAsync(work, 6, Lossless), Does.Contain("inside a committed segment").And.Contain("4, 8"));
        Assert.That(await ResumeFailsAsync(work, 4, Lossless with { FrameRate = new VideoRational(30, 1) }), Does.Contain("encoded as 'ffv1 @25/1'").And.Contain("'ffv1 @30/1'"));
        Assert.That(await ResumeFailsAsync(temp.File("empty-work"), 4, Lossless), Does.Contain("holds no committed video segments"));

        var manifest = Path.Combine(work, "video-segments.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"format\": 1", "\"format\": 2", StringComparison.Ordinal));
        Assert.That(await ResumeFailsAsync(work, 4, Lossless), Does.Contain("format version 2").And.Contain("newer StableVsr"));
    }

    [Test]
    public async Task CancellingMidSegmentDiscardsItAndKeepsTheCommittedOnes()
    {
        var frames = TestMedia.Noise(8, 32, 32, seed: 4);
        var work = temp.File("work");
        var output = temp.File("out.mkv");
        using var cancel = new CancellationTokenSource();
        await using (var sink = new VideoFileSink(output, work, Lossless))
        {
            await VideoFileSinkTests.WriteWindowsAsync(sink, frames[..4], window: 4);
            await sink.WriteAsync(frames[4]);
            await cancel.CancelAsync();
            Assert.CatchAsync<OperationCanceledException>(async () => await sink.WriteAsync(frames[5], cancel.Token));
            Assert.That(Directory.GetFiles(work, "*.partial"), Is.Empty, "the segment being written is gone");
            Assert.That(sink.CommittedFrames, Is.EqualTo(4));
            Assert.Throws<InvalidOperationException>(() => sink.WriteAsync(frames[5]).AsTask().GetAwaiter().GetResult(), "a sink that discarded frames cannot go on silently");
        }

        Assert.That(File.Exists(output), Is.False);
        await using (var resumed = new VideoFileSink(output, work, Lossless))
        {
            await resumed.ResumeAsync(4);
            await VideoFileSinkTests.WriteWindowsAsync(resumed, frames[4..], window: 4);
            await resumed.CompleteAsync();
        }

        Assert.That(TestMedia.DecodeRgb(output), Is.EqualTo(frames.SelectMany(f => f.Rgb.ToArray()).ToArray()), "all 8 frames, the cancelled window written again");
    }

    [Test]
    public async Task DiskFullLeavesNoOutputAndResumesOnceSpaceIsFree()
    {
        var frames = TestMedia.Noise(12, 64, 64, seed: 8);
        var reference = temp.File("reference.mkv");
        await using (var sink = new VideoFileSink(reference, temp.File("work-reference"), Lossless))
        {
            await VideoFileSinkTests.WriteWindowsAsync(sink, frames, window: 4);
            await sink.CompleteAsync();
        }

        var disk = MountSmallDisk();
        var work = Path.Combine(disk, ".out.mkv.stablevsr");
        var output = Path.Combine(disk, "out.mkv");
        var ballast = Path.Combine(disk, "ballast");

        // One window (4 x 12 KB of noise) fits, the second does not.
        await using (var sink = new VideoFileSink(output, work, Lossless))
        {
            await VideoFileSinkTests.WriteWindowsAsync(sink, frames[..4], window: 4);
            Fill(ballast, disk, leave: 24 * 1024);
            var message = await RefusedAsync(() => VideoFileSinkTests.WriteWindowsAsync(sink, frames[4..8], window: 4));
            Assert.That(message, Does.Contain("The disk is full").And.Contain("the 4 committed frames are kept"));
            Assert.That(sink.CommittedFrames, Is.EqualTo(4));
        }

        Assert.That(Directory.GetFiles(work, "*.partial"), Is.Empty, "the segment that did not fit is gone");
        Assert.That(File.Exists(output), Is.False);

        File.Delete(ballast);
        await using (var sink = new VideoFileSink(output, work, Lossless))
        {
            await sink.ResumeAsync(4);
            await VideoFileSinkTests.WriteWindowsAsync(sink, frames[4..], window: 4);

            // The join needs room for the whole output beside the segments.
            Fill(ballast, disk, leave: 64 * 1024);
            var message = await RefusedAsync(() => sink.CompleteAsync());
            Assert.That(message, Does.Contain("The disk is full").And.Contain("the 12 committed frames are kept"));
            Assert.That(File.Exists(output), Is.False, "no partial output");
            Assert.That(Directory.GetFiles(disk, "*.partial"), Is.Empty, "no temporary output left either");

            File.Delete(ballast);
            await sink.CompleteAsync();
        }

        Assert.That(Hash(output), Is.EqualTo(Hash(reference)), "the same bytes as a run that never ran out of space");
    }

    private static string Refused(TestDelegate action) => Assert.Throws<InvalidInputException>(action)!.Message;

    private static async Task<string> RefusedAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (InvalidInputException e)
        {
            return e.Message;
        }

        Assert.Fail("Expected an InvalidInputException.");
        return string.Empty;
    }

    private static Task<string> RefusedAsync(Func<ValueTask> action) => RefusedAsync(() => action().AsTask());

    private async Task<string> ResumeFailsAsync(string work, int frames, VideoEncodeOptions options)
    {
        await using var sink = new VideoFileSink(temp.File("out.mkv"), work, options);
        return await RefusedAsync(() => sink.ResumeAsync(frames));
    }

    /// <summary>A 1 MB tmpfs inside the test folder: a real disk that fills up. Mounting needs root (CI runs as root).</summary>
    private string MountSmallDisk()
    {
        var path = Directory.CreateDirectory(temp.File("disk")).FullName;
        if (!OperatingSystem.IsLinux() || Run("mount", $"-t tmpfs -o size=1m tmpfs \"{path}\"") != 0)
        {
            Assert.Ignore("Mounting a small tmpfs needs Linux and root; the disk-full path is not exercised here.");
        }

        mount = path;
        return path;
    }

    private static void Fill(string ballast, string disk, long leave)
    {
        var free = new DriveInfo(disk).AvailableFreeSpace;
        using var stream = File.Create(ballast);
        stream.SetLength(0);
        var block = new byte[4096];
        for (long written = 0; written < free - leave; written += block.Length)
        {
            stream.Write(block);
        }
    }

    private static int Run(string tool, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
