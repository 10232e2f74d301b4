using System.Diagnostics;
using Orleans.TestingHost;
using StableVsr.Orleans;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Orleans;

/// <summary>
/// Jobs on an in-process cluster of workers: the outputs equal the single-process CLI's byte for byte, and a
/// silo killed in the middle of a segment costs a retry on another silo, not the output. One cluster of 2 silos serves
/// both tests (starting one loads a pipeline per silo); the kill runs last.
/// </summary>
[Parallelizable(ParallelScope.Self)]
[Category("Cluster")]
[Category("Video")]
public class ClusterJobTests : TempFolderTests
{
    private TempFolder shared = null!;
    private InProcessTestCluster cluster = null!;

    [OneTimeSetUp]
    public async Task StartCluster()
    {
        shared = new TempFolder();
        cluster = await ClusterHarness.StartAsync(2, shared.File("state"));
    }

    [OneTimeTearDown]
    public async Task StopCluster()
    {
        await cluster.DisposeAsync();
        shared.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task AJobOfSequencesAndAVideoGivesTheBytesOfTheSingleProcessCli()
    {
        var input = ClusterHarness.WriteLibrary(Temp.File("library"), [2, 3], videoFrames: 2);
        var expected = Temp.File("expected");
        await ClusterHarness.UpscaleWithCliAsync(input, expected);

        var client = new UpscaleClusterClient(cluster.Client);
        var output = Temp.File("cluster");
        var clock = Stopwatch.StartNew();
        var jobId = await client.SubmitAsync(ClusterHarness.Plan(input, output), ClusterHarness.JobOptions);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var status = await client.WaitAsync(jobId, interval: TimeSpan.FromMilliseconds(200), cancellationToken: timeout.Token);
        TestContext.Out.WriteLine($"job {jobId}: {status.State} in {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var segment in status.Segments)
        {
            TestContext.Out.WriteLine($"  {Path.GetFileName(segment.Sequence.Input)}: {segment.State}, {segment.FramesDone} frames, {string.Join("; ", segment.History)}");
        }

        Assert.That(status.State, Is.EqualTo(UpscaleJobState.Succeeded), string.Join("; ", status.Segments.Select(s => s.Error)));
        Assert.That(status.Segments, Has.Count.EqualTo(3));
        Assert.That(status.Segments.Select(s => s.Attempts), Is.All.EqualTo(1), "nothing was retried");
        Assert.That(status.Segments.Select(s => s.Worker).Distinct().Count(), Is.GreaterThan(1), "the segments ran on several silos");
        Assert.That(status.FramesDone, Is.EqualTo(2 + 3 + 2));
        ClusterHarness.AssertSameOutputs(expected, output);

    }

    [Test]
    [Order(2)]
    public async Task ASiloKilledInTheMiddleOfASegmentCostsARetryElsewhereAndNotTheOutput()
    {
        var input = ClusterHarness.WriteLibrary(Temp.File("library"), [4, 2]);
        var expected = Temp.File("expected");
        await ClusterHarness.UpscaleWithCliAsync(input, expected);

        Assert.That(cluster.Silos, Has.Count.EqualTo(2), "both silos of the fixture's cluster run");
        var client = new UpscaleClusterClient(cluster.Client);
        var output = Temp.File("cluster");
        var jobId = await client.SubmitAsync(ClusterHarness.Plan(input, output), ClusterHarness.JobOptions);

        // Wait until a segment has committed a window and is in the next one, then kill its silo without warning.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        SegmentStatus? victim = null;
        while (victim is null)
        {
            var now = await client.GetStatusAsync(jobId, timeout.Token);
            Assert.That(now.IsFinished, Is.False, "the job finished before a silo could be killed");
            victim = now.Segments.FirstOrDefault(s => s.State == SegmentState.Running && s.FramesDone >= 2 && s.FramesDone <= s.FrameCount - 2);
            await Task.Delay(50, timeout.Token);
        }

        var silo = cluster.Silos.Single(s => victim.Worker!.StartsWith(s.SiloAddress.ToParsableString(), StringComparison.Ordinal));
        TestContext.Out.WriteLine($"killing {silo.SiloAddress} in segment {victim.Index} after {victim.FramesDone} of {victim.FrameCount} frames");
        await cluster.KillSiloAsync(silo);

        var status = await client.WaitAsync(jobId, interval: TimeSpan.FromMilliseconds(200), cancellationToken: timeout.Token);
        foreach (var segment in status.Segments)
        {
            TestContext.Out.WriteLine($"  {Path.GetFileName(segment.Sequence.Input)}: {segment.State}, attempts {segment.Attempts}: {string.Join("; ", segment.History)}");
        }

        Assert.That(status.State, Is.EqualTo(UpscaleJobState.Succeeded), string.Join("; ", status.Segments.Select(s => s.Error)));
        var retried = status.Segments[victim.Index];
        Assert.That(retried.Attempts, Is.EqualTo(2), "the killed segment was started once more");
        Assert.That(retried.History[0], Does.Contain("died"), "its first attempt ended with its silo's death");
        Assert.That(retried.Worker, Does.Not.StartWith(silo.SiloAddress.ToParsableString()), "the retry ran on another silo");
        ClusterHarness.AssertSameOutputs(expected, output);
    }
}
