using StableVsr.Orleans;
using StableVsr.Orleans.Workers;
using StableVsr.Sampling.Jobs;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Orleans;

/// <summary>
/// The staging of a segment whose job was lost with the cluster's store is removed, claimed first with the lock every run
/// of the segment holds: what a live process still writes is never touched.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class SegmentStagingTests : TempFolderTests
{
    [Test]
    public void AnOrphanedStagingIsRemovedWithItsJournalAndTheLostJobsParts()
    {
        var output = Temp.File("out/a");
        var whole = SegmentStaging.For(new SequenceJob(Temp.File("in/a"), output));
        var part = SegmentStaging.For(new SequenceJob(Temp.File("in/a"), output), new SegmentRange { Start = 4, End = 8, WarmUp = 2 }, "lost-job");
        foreach (var staging in new[] { whole, part })
        {
            Directory.CreateDirectory(staging.JournalFolder);
            File.WriteAllText(Path.Combine(staging.StagingOutput, "00000000.png"), "frame");
            File.WriteAllText(Path.Combine(staging.JournalFolder, "journal.json"), "{}");
        }

        Directory.CreateDirectory(part.PartsFolder);
        File.WriteAllText(Path.Combine(part.PartsFolder, "00000000.png"), "a committed part of the lost job");

        Assert.That(whole.DiscardOrphan(), Is.True);
        Assert.That(part.DiscardOrphan(), Is.True);
        Assert.That(Directory.GetFileSystemEntries(Temp.File("out")), Is.Empty, "staging, journals, parts and lock files are all gone");
        Assert.That(whole.DiscardOrphan(), Is.False, "nothing left to remove");
    }

    [Test]
    public void AStagingALiveRunHoldsIsLeftAlone()
    {
        var staging = SegmentStaging.For(new SequenceJob(Temp.File("in/b.mp4"), Temp.File("out/b.mp4")));
        Directory.CreateDirectory(staging.JournalFolder);
        File.WriteAllText(staging.StagingOutput, "a video being written");
        using (OutputLock.Acquire(staging.JournalFolder, "a live segment"))
        {
            Assert.That(staging.DiscardOrphan(), Is.False, "held by a live run");
            Assert.That(File.Exists(staging.StagingOutput), Is.True);
            Assert.That(Directory.Exists(staging.JournalFolder), Is.True);
        }

        Assert.That(staging.DiscardOrphan(), Is.True, "once released it is an orphan");
        Assert.That(File.Exists(staging.StagingOutput), Is.False);
    }
}
