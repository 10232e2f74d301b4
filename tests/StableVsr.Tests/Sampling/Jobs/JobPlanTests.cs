using StableVsr.IO;
using StableVsr.Sampling.Jobs;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Sampling.Jobs;

/// <summary>
/// The job layer's plan phase: every check that needs no model runs before anything is written, and the plan says
/// what the paths are, where the journal goes and how many frames the output will hold.
/// </summary>
public class JobPlanTests
{
    private TempFolder temp = null!;
    private string input = string.Empty;

    [SetUp]
    public void CreateInput()
    {
        temp = new TempFolder();
        input = MovingScene.WriteFolder(temp.File("in"), 5);
    }

    [TearDown]
    public void DeleteFolder() => temp.Dispose();

    [Test]
    public async Task AFolderJobIsResolvedWithItsFrameCountAndJournalFolder()
    {
        var plan = await UpscaleJobRunner.PlanAsync(new UpscaleJob(input, temp.File("out")));

        Assert.That((plan.Input, plan.Output), Is.EqualTo((input, temp.File("out"))));
        Assert.That((plan.InputIsVideo, plan.OutputIsVideo, plan.IsComplete), Is.EqualTo((false, false, false)));
        Assert.That(plan.FrameCount, Is.EqualTo(5));
        Assert.That(plan.WorkFolder, Is.EqualTo(Path.Combine(temp.File("out"), ".stablevsr")));
        Assert.That(plan.Segments, Is.Empty);
        Assert.That(Directory.Exists(temp.File("out")), Is.False, "planning writes nothing");
        Assert.That(UpscaleJob.DefaultWorkFolder(temp.File("clip.mp4")), Is.EqualTo(temp.File(".clip.mp4.stablevsr")), "a video's journal sits beside it");
    }

    [Test]
    public async Task ACompleteOutputIsSkippedOnResumeAndRefusedOtherwiseUnlessOverwritten()
    {
        var output = MovingScene.WriteFolder(temp.File("out"), 5);

        var resumed = await UpscaleJobRunner.PlanAsync(new UpscaleJob(input, output) { Resume = ResumeMode.Resume });
        Assert.That((resumed.IsComplete, resumed.FrameCount), Is.EqualTo((true, 5)));

        var refused = Assert.ThrowsAsync<InvalidInputException>(() => UpscaleJobRunner.PlanAsync(new UpscaleJob(input, output)));
        Assert.That(refused!.Message, Does.Contain("already holds frames").And.Contain("--overwrite"));

        var replaced = await UpscaleJobRunner.PlanAsync(new UpscaleJob(input, output) { Overwrite = true });
        Assert.That(replaced.IsComplete, Is.False);

        Directory.CreateDirectory(Path.Combine(output, ".stablevsr"));
        var interrupted = await UpscaleJobRunner.PlanAsync(new UpscaleJob(input, output) { Resume = ResumeMode.Resume });
        Assert.That(interrupted.IsComplete, Is.False, "a journal folder means an interrupted run, not a complete output");
    }

    [Test]
    public void JobsThatCannotRunAreRefusedBeforeAnythingIsWritten()
    {
        Assert.That(Assert.ThrowsAsync<InvalidInputException>(() => UpscaleJobRunner.PlanAsync(new UpscaleJob(temp.File("missing"), temp.File("out"))))!.Message, Does.Contain("does not exist"));
        Assert.That(Assert.ThrowsAsync<InvalidInputException>(() => UpscaleJobRunner.PlanAsync(new UpscaleJob(input, input + Path.DirectorySeparatorChar)))!.Message, Does.Contain("is the input"));
        var split = new UpscaleJob(input, temp.File("out.mp4")) { Segments = SegmentOptions.None with { MaxSegmentFrames = 2 } };
        Assert.That(Assert.ThrowsAsync<InvalidInputException>(() => UpscaleJobRunner.PlanAsync(split))!.Message, Does.Contain("frame-folder outputs").And.Contain("out.mp4"));
        var both = new UpscaleJob(input, temp.File("out")) { Range = new SequenceRange(0, 2), Segments = SegmentOptions.None with { MaxSegmentFrames = 2 } };
        Assert.That(Assert.ThrowsAsync<InvalidInputException>(() => UpscaleJobRunner.PlanAsync(both))!.Message, Does.Contain("not both"));
        Assert.That(Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "in" }), "nothing was created");
    }

    [Test]
    public async Task ASplitJobIsPlannedIntoTheClustersSegmentsAndARangeJobCountsItsOwnFrames()
    {
        var segmenting = SegmentOptions.None with { MaxSegmentFrames = 2, Overlap = 1 };
        var plan = await UpscaleJobRunner.PlanAsync(new UpscaleJob(input, temp.File("out")) { Segments = segmenting });

        Assert.That(plan.Segments, Is.EqualTo(await UpscaleJobRunner.PlanSegmentsAsync(input, segmenting)), "one planner for a split run and a cluster job");
        Assert.That(plan.Segments.Select(s => s.ToString()), Is.EqualTo(new[] { "[0, 2) warm-up 0", "[2, 4) warm-up 1", "[4, 5) warm-up 1" }));
        Assert.That(plan.FrameCount, Is.EqualTo(5));

        var range = await UpscaleJobRunner.PlanAsync(new UpscaleJob(input, temp.File("part")) { Range = new SequenceRange(2, 4, 1) });
        Assert.That(range.FrameCount, Is.EqualTo(2));
    }

    [Test]
    public void AFolderOfSequencesIsDiscoveredInNaturalOrderWithOneOutputEach()
    {
        var library = temp.File("library");
        MovingScene.WriteFolder(Path.Combine(library, "shot10"), 1);
        MovingScene.WriteFolder(Path.Combine(library, "shot2"), 1);
        MovingScene.WriteFolder(Path.Combine(library, ".hidden"), 1);
        File.WriteAllBytes(Path.Combine(library, "clip.webm"), []);
        File.WriteAllBytes(Path.Combine(library, "notes.txt"), []);

        var jobs = UpscaleJob.Discover(library, temp.File("out"), VideoCodec.H264);
        Assert.That(jobs.Select(j => Path.GetRelativePath(temp.Path, j.Output)), Is.EqualTo(new[] { Path.Combine("out", "clip.mp4"), Path.Combine("out", "shot2"), Path.Combine("out", "shot10") }));
        Assert.That(UpscaleJob.Discover(library, temp.File("out"), VideoCodec.Ffv1).Select(j => Path.GetExtension(j.Output)), Does.Contain(".mkv"), "FFV1 lives in Matroska");
        Assert.That(Assert.Throws<InvalidInputException>(() => UpscaleJob.Discover(library, temp.File("out.mp4"), VideoCodec.H264))!.Message, Does.Contain("several sequences"));
        Assert.That(Assert.Throws<InvalidInputException>(() => UpscaleJob.Discover(Path.Combine(library, "notes.txt"), temp.File("out"), VideoCodec.H264))!.Message, Does.Contain("not a video"));
    }
}
