using System.Text.Json.Nodes;
using StableVsr.IO;
using StableVsr.Sampling.Jobs;
using StableVsr.Sampling.Resume;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Sampling.Resume;

/// <summary>
/// A journaled run resumes after its last finished window with output byte-identical to an uninterrupted run, and
/// refuses journals that could not give that output.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class ResumeTests
{
    private static readonly UpscaleOptions Options = UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, RaftIterations = 2, WindowSize = 2, Seed = 9 } };

    private TempFolder temp = null!;
    private string input = string.Empty;

    [SetUp]
    public void CreateInput()
    {
        temp = new TempFolder();
        input = MovingScene.WriteFolder(temp.File("in"), 6);
    }

    [TearDown]
    public void DeleteFolder() => temp.Dispose();

    [Test]
    public async Task CancelledAfterTwoWindowsThenResumedGivesTheSameBytesAsAnUninterruptedRun()
    {
        var straight = temp.File("straight");
        Assert.That(await RunAsync(Options, straight, ResumeMode.New), Is.EqualTo(6));

        var output = temp.File("resumed");
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase == UpscalePhase.Denoising && p.Frame == 4)
            {
                cts.Cancel();
            }
        });
        Assert.ThrowsAsync<UpscaleCanceledException>(() => RunAsync(Options, output, ResumeMode.New, progress, cts.Token));
        var journalFolder = UpscaleJob.DefaultWorkFolder(output);
        Assert.That(File.ReadAllText(Path.Combine(journalFolder, "journal.json")), Does.Contain("\"CommittedFrames\": 4"), "two windows of two frames committed");
        Assert.That(Directory.GetFiles(journalFolder, "carry-*.safetensors"), Has.Length.EqualTo(1), "one carry: the last committed window's");

        Assert.That(await RunAsync(Options, output, ResumeMode.Resume), Is.EqualTo(6));

        Assert.That(Directory.Exists(journalFolder), Is.False, "the journal goes once the output is complete");
        AssertSameFrames(straight, output);
    }

    [Test]
    public async Task ANewRunRefusesAJournalAndRestartDiscardsIt()
    {
        var output = temp.File("out");
        await InterruptAfterFirstWindowAsync(output);

        var refused = Assert.ThrowsAsync<InvalidInputException>(() => RunAsync(Options, output, ResumeMode.New));
        Assert.That(refused!.Message, Does.Contain("--resume").And.Contain("--restart"));

        Assert.That(await RunAsync(Options, output, ResumeMode.Restart), Is.EqualTo(6));
        var straight = temp.File("straight");
        Assert.That(await RunAsync(Options, straight, ResumeMode.New), Is.EqualTo(6));
        AssertSameFrames(straight, output);
    }

    [Test]
    public async Task AJournalOfOtherOptionsAModelPrecisionOrAnotherInputIsRefusedWithTheReason()
    {
        var output = temp.File("out");
        await InterruptAfterFirstWindowAsync(output);

        var steps = Assert.ThrowsAsync<InvalidInputException>(() => RunAsync(Options with { Sampling = Options.Sampling with { Steps = 3 } }, output, ResumeMode.Resume));
        Assert.That(steps!.Message, Does.Contain("option Steps was 2, now 3").And.Contain("--restart"));

        var model = Assert.ThrowsAsync<InvalidInputException>(() => RunAsync(Options with { Precision = PrecisionPolicy.BFloat16Denoiser }, output, ResumeMode.Resume));
        Assert.That(model!.Message, Does.Contain("model"));

        // Another frame of the same size (a frame of another size is refused earlier, when the job is planned).
        using (var frame = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(Path.Combine(input, "f002.png")))
        {
            frame[0, 0] = new SixLabors.ImageSharp.PixelFormats.Rgb24((byte)(frame[0, 0].R ^ 0xFF), 0, 0);
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(frame, Path.Combine(input, "f002.png"));
        }

        var changed = Assert.ThrowsAsync<InvalidInputException>(() => RunAsync(Options, output, ResumeMode.Resume));
        Assert.That(changed!.Message, Does.Contain("input changed"));
    }

    [Test]
    public async Task AJournalWrittenByANewerFormatIsRefused()
    {
        var output = temp.File("out");
        await InterruptAfterFirstWindowAsync(output);
        var path = Path.Combine(UpscaleJob.DefaultWorkFolder(output), "journal.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["Format"] = 99;
        File.WriteAllText(path, json.ToJsonString());

        var error = Assert.ThrowsAsync<InvalidInputException>(() => RunAsync(Options, output, ResumeMode.Resume));

        Assert.That(error!.Message, Does.Contain("newer").And.Contain("format 99"));
    }

    private static void AssertSameFrames(string expectedFolder, string actualFolder)
    {
        var expected = Directory.GetFiles(expectedFolder, "*.png").Order().ToArray();
        var actual = Directory.GetFiles(actualFolder, "*.png").Order().ToArray();
        Assert.That(actual.Select(Path.GetFileName), Is.EqualTo(expected.Select(Path.GetFileName)));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.That(File.ReadAllBytes(actual[i]), Is.EqualTo(File.ReadAllBytes(expected[i])), $"{Path.GetFileName(expected[i])} differs");
        }
    }

    private async Task InterruptAfterFirstWindowAsync(string output)
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase == UpscalePhase.Denoising && p.Frame == 2)
            {
                cts.Cancel();
            }
        });
        Assert.ThrowsAsync<UpscaleCanceledException>(() => RunAsync(Options, output, ResumeMode.New, progress, cts.Token));
        await Task.CompletedTask;
    }

    private async Task<int> RunAsync(UpscaleOptions options, string output, ResumeMode mode, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var pipeline = TinyPipeline.Load(options);
        var runner = new UpscaleJobRunner(pipeline);
        var plan = await UpscaleJobRunner.PlanAsync(new UpscaleJob(input, output) { Resume = mode, Overwrite = true }, cancellationToken: cancellationToken);
        return await runner.RunAsync(plan, progress, null, cancellationToken);
    }
}
