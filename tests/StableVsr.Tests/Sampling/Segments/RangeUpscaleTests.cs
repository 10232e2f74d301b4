using StableVsr.IO;
using StableVsr.Sampling.Jobs;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Sampling.Segments;

/// <summary>
/// A range run (the job layer's <see cref="UpscaleJob.Range"/>): a range warmed up from frame 0 gives the unsplit run's bytes for
/// its frames, ranges tile a sequence into the same files as the unsplit run writes, a range's journal is its own,
/// and bad ranges are refused.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class RangeUpscaleTests
{
    private static readonly UpscaleOptions Options = UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, RaftIterations = 2, WindowSize = 2, Seed = 5 } };

    private TempFolder temp = null!;
    private string input = string.Empty;

    [SetUp]
    public void CreateInput()
    {
        temp = new TempFolder();
        input = MovingScene.WriteFolder(temp.File("in"), 8);
    }

    [TearDown]
    public void DeleteFolder() => temp.Dispose();

    [Test]
    public async Task ARangeWarmedUpFromFrameZeroGivesTheUnsplitRunsBytesForItsFrames()
    {
        using var pipeline = TinyPipeline.Load(Options);
        var whole = temp.File("whole");
        await using (var source = new ImageFolderSource(input))
        {
            Assert.That(await pipeline.UpscaleResumableAsync(source, new ImageFolderSink(whole)), Is.EqualTo(8));
        }

        // Ends on the window grid (2, 4, 6) and at the sequence's end.
        var ranged = temp.File("ranged");
        foreach (var range in new[] { new SequenceRange(0, 2), new SequenceRange(2, 6, 2), new SequenceRange(6, 8, 6) })
        {
            await using var source = new ImageFolderSource(input);
            Assert.That(await pipeline.UpscaleRangeAsync(source, new ImageFolderSink(ranged), range), Is.EqualTo(range.Count));
        }

        AssertSameFrames(whole, ranged);
    }

    [Test]
    public async Task RangesWithShortWarmUpTileTheSequenceIntoTheUnsplitRunsFilesEachWrittenOnce()
    {
        using var pipeline = TinyPipeline.Load(Options);
        var plan = SegmentPlanner.Plan(new SequenceSurvey(8, []), SegmentOptions.None with { MaxSegmentFrames = 3, Overlap = 1 });
        var output = temp.File("tiled");
        var written = new List<int>();
        foreach (var range in plan)
        {
            await using var source = new ImageFolderSource(input);
            await pipeline.UpscaleRangeAsync(source, new RecordingSink(new ImageFolderSink(output), written), range, temp.File($"journal-{range.Start}"));
            Assert.That(Directory.Exists(temp.File($"journal-{range.Start}")), Is.False, "a finished range removes its journal");
        }

        Assert.That(written, Is.EqualTo(Enumerable.Range(0, 8)), "every frame written once, in order");
        Assert.That(Directory.GetFiles(output).Select(Path.GetFileName).Order(), Is.EqualTo(Enumerable.Range(0, 8).Select(i => $"f{i:D3}.png")));
    }

    [Test]
    public async Task ARangeJournalIsNotResumedAsAnotherRange()
    {
        using var pipeline = TinyPipeline.Load(Options);
        var journal = temp.File("journal");
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase == UpscalePhase.Denoising && p.Frame == 6)
            {
                cts.Cancel();
            }
        });
        await using (var source = new ImageFolderSource(input))
        {
            Assert.ThrowsAsync<UpscaleCanceledException>(() => pipeline.UpscaleRangeAsync(source, new ImageFolderSink(temp.File("a")), new SequenceRange(4, 8, 2), journal, ResumeMode.New, progress, cts.Token));
        }

        Assert.That(File.ReadAllText(Path.Combine(journal, "journal.json")), Does.Contain("\"CommittedFrames\": 6").And.Contain("[4, 8) warm-up 2"), "the warm-up window and the first output window committed");
        await using (var source = new ImageFolderSource(input))
        {
            var refused = Assert.ThrowsAsync<InvalidInputException>(() => pipeline.UpscaleRangeAsync(source, new ImageFolderSink(temp.File("a")), new SequenceRange(4, 8, 0), journal, ResumeMode.Resume));
            Assert.That(refused!.Message, Does.Contain("option Range was [4, 8) warm-up 2, now [4, 8) warm-up 0"));
        }

        // The same range resumes to the bytes of an uninterrupted run of it.
        await using (var source = new ImageFolderSource(input))
        {
            Assert.That(await pipeline.UpscaleRangeAsync(source, new ImageFolderSink(temp.File("a")), new SequenceRange(4, 8, 2), journal, ResumeMode.Resume), Is.EqualTo(4));
        }

        await using (var source = new ImageFolderSource(input))
        {
            await pipeline.UpscaleRangeAsync(source, new ImageFolderSink(temp.File("b")), new SequenceRange(4, 8, 2));
        }

        AssertSameFrames(temp.File("b"), temp.File("a"));
    }

    [Test]
    public async Task ARangeEndingAfterTheSequenceIsRefused()
    {
        using var pipeline = TinyPipeline.Load(Options with { Sampling = Options.Sampling with { WindowSize = 8 } });
        await using var source = new ImageFolderSource(input);
        var refused = Assert.ThrowsAsync<InvalidInputException>(() => pipeline.UpscaleRangeAsync(source, new ImageFolderSink(temp.File("out")), new SequenceRange(6, 10, 1)));
        Assert.That(refused!.Message, Does.Contain("[6, 10) warm-up 1").And.Contain("has 8 frame(s)"));
    }

    private static void AssertSameFrames(string expected, string actual)
    {
        var names = Directory.GetFiles(expected).Select(Path.GetFileName).Order().ToArray();
        Assert.That(Directory.GetFiles(actual).Select(Path.GetFileName).Order(), Is.EqualTo(names));
        foreach (var name in names)
        {
            Assert.That(File.ReadAllBytes(Path.Combine(actual, name!)), Is.EqualTo(File.ReadAllBytes(Path.Combine(expected, name!))), name);
        }
    }

    private sealed class RecordingSink(IFrameSink inner, List<int> written) : IFrameSink
    {
        public string Description => inner.Description;

        public ValueTask ResumeAsync(int committedFrames, CancellationToken cancellationToken = default) => inner.ResumeAsync(committedFrames, cancellationToken);

        public ValueTask WriteAsync(VideoFrame frame, CancellationToken cancellationToken = default)
        {
            written.Add(frame.Index);
            return inner.WriteAsync(frame, cancellationToken);
        }

        public ValueTask CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

        public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => inner.CompleteAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
