using StableVsr.Orleans;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Orleans;

/// <summary>
/// Split jobs: a long shot split into segments with warm-up, and a scene cut starting a segment, run on a cluster of 2
/// silos give the bytes of the single-process CLI run with the same splitting options; the status shows each
/// segment's frame range; splitting a video output is refused.
/// </summary>
[Parallelizable(ParallelScope.Self)]
[Category("Cluster")]
[Category("Video")]
public class ClusterSegmentTests : TempFolderTests
{
    [Test]
    public async Task ASplitJobGivesTheBytesOfTheSingleProcessCliSplitTheSameWay()
    {
        // One sequence takes every path: a shot longer than a segment (5 frames at 4: split evenly into 3 + 2, the second
        // warmed up by 2 frames) and a scene cut (a segment starting at it, with no warm-up).
        var input = Temp.File("library");
        CutScene.WriteFolder(Path.Combine(input, "b"), 8, cutAt: 5);
        var expected = Temp.File("expected");
        await ClusterHarness.UpscaleWithCliAsync(input, expected, "--max-segment-frames", "4", "--segment-overlap", "2", "--scene-cuts");

        await using var cluster = await ClusterHarness.StartAsync(2, Temp.File("state"));
        var client = new UpscaleClusterClient(cluster.Client);
        var output = Temp.File("cluster");
        var options = ClusterHarness.JobOptions with { MaxSegmentFrames = 4, SegmentOverlap = 2, SplitAtSceneCuts = true };
        var jobId = await client.SubmitAsync(ClusterHarness.Plan(input, output), options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var status = await client.WaitAsync(jobId, interval: TimeSpan.FromMilliseconds(200), cancellationToken: timeout.Token);
        foreach (var segment in status.Segments)
        {
            TestContext.Out.WriteLine($"  [{segment.Index}] {Path.GetFileName(segment.Sequence.Input)} {segment.Range}: {segment.State}, {segment.FramesDone} frames, {string.Join("; ", segment.History)}");
        }

        Assert.That(status.State, Is.EqualTo(UpscaleJobState.Succeeded), string.Join("; ", status.Segments.Select(s => s.Error)));
        Assert.That(
            status.Segments.Select(s => $"{Path.GetFileName(s.Sequence.Input)} {s.Range}"),
            Is.EqualTo(new[] { "b [0, 3) warm-up 0", "b [3, 5) warm-up 2", "b [5, 8) warm-up 0" }),
            "the shot before the cut (frame 5) in two segments, the second with 2 warm-up frames; no warm-up after the cut");
        Assert.That(status.FramesDone, Is.EqualTo(8));
        Assert.That(status.Segments.Select(s => s.Worker).Distinct().Count(), Is.GreaterThan(1), "the segments ran on both silos");
        ClusterHarness.AssertSameOutputs(expected, output);

        var video = ClusterHarness.WriteLibrary(Directory.CreateDirectory(Temp.File("videos")).FullName, [], videoFrames: 2);
        var refused = Assert.ThrowsAsync<InvalidInputException>(() => client.SubmitAsync([new SequenceJob(Path.Combine(video, "v.mp4"), Temp.File("v-x4.mp4"))], options));
        Assert.That(refused!.Message, Does.Contain("frame-folder outputs").And.Contain("v-x4.mp4"));
    }
}
