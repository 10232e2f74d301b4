using System.Text.Json.Nodes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.IO.Video;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Cli;

/// <summary>
/// <c>stablevsr upscale</c> on real video files (made by the system's ffmpeg): a video in, a video out with the input's
/// audio, exactly the frames a folder run writes; a folder mixing videos and frame folders; a killed video run resumed.
/// </summary>
[Category("Video")]
[Category("Process")]
[Parallelizable(ParallelScope.Self)]
public class VideoCommandTests : TempFolderTests
{
    // Short clips (each frame costs two RAFT-large passes at the output size), of an odd length so that a run ends on a short window.
    private const int Frames = 3;

    private static string[] Arguments(string input, string output, params string[] extra) =>
    [
        "upscale", "--input", input, "--output", output, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights,
        "--steps", "2", "--raft-iterations", "2", "--seed", "5", "--device", "cpu", .. extra, .. extra.Contains("--window") ? Array.Empty<string>() : ["--window", "2"],
    ];

    [Test]
    public async Task AVideoBecomesAVideoFourTimesLargerWithItsAudioAndTheFramesOfAFolderRun()
    {
        var input = TestMedia.PatternWithAudio(Temp.File("in.mp4"), frames: Frames);

        // Lossless FFV1 so that the video's pixels can be compared with the PNG frames of the same run.
        var video = Temp.File("out.mkv");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(input, video, "--codec", "ffv1")), Is.EqualTo(ExitCodes.Ok));
        var frames = Temp.File("frames");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(input, frames)), Is.EqualTo(ExitCodes.Ok));

        var probe = TestMedia.Probe(video);
        var stream = TestMedia.Streams(probe, "video").Single();
        Assert.That(TestMedia.Text(stream, "width"), Is.EqualTo((4 * TestMedia.Width).ToString()));
        Assert.That(TestMedia.Text(stream, "height"), Is.EqualTo((4 * TestMedia.Height).ToString()));
        Assert.That(TestMedia.Text(stream, "nb_read_frames"), Is.EqualTo(Frames.ToString()));
        var audio = TestMedia.Streams(probe, "audio");
        Assert.That(audio, Has.Length.EqualTo(1), "the input's audio track is carried over");
        Assert.That(TestMedia.Tag(audio[0], "language"), Is.EqualTo("fra"));
        var sourceAudio = TestMedia.Streams(TestMedia.Probe(input), "audio").Single();
        Assert.That(TestMedia.Seconds(audio[0]), Is.EqualTo(TestMedia.Seconds(sourceAudio)).Within(0.04), "the audio keeps its duration, within one frame");
        Assert.That(TestMedia.Text(stream, "r_frame_rate"), Is.EqualTo("25/1"), "the input's frame rate");

        var pngs = Directory.GetFiles(frames, "*.png").Order().ToArray();
        Assert.That(pngs, Has.Length.EqualTo(Frames));
        using var expected = new MemoryStream();
        foreach (var png in pngs)
        {
            using var image = Image.Load<Rgb24>(png);
            var pixels = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(pixels);
            expected.Write(pixels);
        }

        Assert.That(TestMedia.DecodeRgb(video), Is.EqualTo(expected.ToArray()), "the video holds exactly the frames of the folder run");
        Assert.That(Directory.EnumerateFileSystemEntries(Temp.Path).Select(Path.GetFileName), Is.All.Not.StartWith("."), "no journal is left");
    }

    [Test]
    public async Task AFolderOfVideosAndFrameFoldersUpscalesEachUnderItsOwnName()
    {
        var library = Temp.File("library");
        Directory.CreateDirectory(library);
        TestMedia.PatternWithAudio(Path.Combine(library, "shot 1.mp4"), frames: 3);
        TestMedia.Pattern(Path.Combine(library, "shot 2.mov"), "-c:v libx264 -pix_fmt yuv420p", frames: 2);
        MovingScene.WriteFolder(Path.Combine(library, "shot 3"), 2);
        File.WriteAllText(Path.Combine(library, "notes.txt"), "not a sequence");

        var output = Temp.File("upscaled");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(library, output)), Is.EqualTo(ExitCodes.Ok));

        Assert.That(Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "shot 1.mp4", "shot 2.mov", "shot 3" }));
        Assert.That(TestMedia.Text(TestMedia.Streams(TestMedia.Probe(Path.Combine(output, "shot 1.mp4")), "video").Single(), "nb_read_frames"), Is.EqualTo("3"));
        Assert.That(TestMedia.Text(TestMedia.Streams(TestMedia.Probe(Path.Combine(output, "shot 2.mov")), "video").Single(), "nb_read_frames"), Is.EqualTo("2"));
        Assert.That(Directory.GetFiles(Path.Combine(output, "shot 3"), "*.png"), Has.Length.EqualTo(2));

        // A second run refuses to replace finished outputs; resumed, it finds everything complete; neither touches a file.
        var written = File.GetLastWriteTimeUtc(Path.Combine(output, "shot 1.mp4"));
        Assert.That(await StableVsrCommand.RunAsync(Arguments(library, output)), Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(await StableVsrCommand.RunAsync(Arguments(library, output, "--resume")), Is.EqualTo(ExitCodes.Ok));
        Assert.That(File.GetLastWriteTimeUtc(Path.Combine(output, "shot 1.mp4")), Is.EqualTo(written));
    }

    [Test]
    public async Task AKilledVideoRunResumesToTheBytesOfAnUninterruptedOne()
    {
        var input = TestMedia.PatternWithAudio(Temp.File("in.mp4"), frames: Frames);
        var straight = Temp.File("straight.mp4");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(input, straight, "--window", "2")), Is.EqualTo(ExitCodes.Ok));

        var output = Temp.File("killed.mp4");
        var journal = Path.Combine(UpscaleJob.DefaultWorkFolder(output), "journal.json");
        await CliProcess.KillAfterCommitsAsync(1, Arguments(input, output, "--window", "2"));

        var committed = CommittedFrames(journal);
        TestContext.Out.WriteLine($"killed after {committed} committed frame(s) of {Frames}");
        Assert.That(committed, Is.EqualTo(2), "killed after the first window");
        Assert.That(File.Exists(output), Is.False, "no partial video where the output goes");
        Assert.That(await StableVsrCommand.RunAsync(Arguments(input, output)), Is.EqualTo(ExitCodes.InvalidInput), "an interrupted run is not silently restarted");

        Assert.That(await StableVsrCommand.RunAsync(Arguments(input, output, "--window", "2", "--resume")), Is.EqualTo(ExitCodes.Ok));
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(File.ReadAllBytes(straight)), "the resumed video is byte-identical");
        Assert.That(Directory.EnumerateFileSystemEntries(Temp.Path).Select(Path.GetFileName), Is.All.Not.StartWith("."), "the journal is gone");
    }

    private static int CommittedFrames(string journal)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(journal))?["CommittedFrames"]?.GetValue<int>() ?? 0;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return 0;
        }
    }
}
