using StableVsr.Sampling.Segments;

namespace StableVsr.Tests.Sampling.Segments;

/// <summary>Segment plans tile the sequence, split shots evenly, warm up inside shots only, and refuse bad input.</summary>
public class SegmentPlannerTests
{
    [Test]
    public void NoSplittingGivesOneSegmentOfTheWholeSequence()
    {
        var plan = SegmentPlanner.Plan(new SequenceSurvey(12, [5]), SegmentOptions.None);
        Assert.That(plan, Is.EqualTo(new[] { new SequenceRange(0, 12) }), "cuts are ignored unless asked for");
    }

    [Test]
    public void ALongShotIsSplitEvenlyWithWarmUpFromThePreviousSegment()
    {
        var plan = SegmentPlanner.Plan(new SequenceSurvey(10, []), SegmentOptions.None with { MaxSegmentFrames = 4, Overlap = 2 });
        Assert.That(plan, Is.EqualTo(new[] { new SequenceRange(0, 4), new SequenceRange(4, 7, 2), new SequenceRange(7, 10, 2) }));
    }

    [Test]
    public void ASegmentAfterACutHasNoWarmUpAndWarmUpNeverCrossesACut()
    {
        var options = SegmentOptions.None with { MaxSegmentFrames = 3, Overlap = 4, SplitAtSceneCuts = true };
        var plan = SegmentPlanner.Plan(new SequenceSurvey(11, [5]), options);
        Assert.That(plan, Is.EqualTo(new[]
        {
            new SequenceRange(0, 3), new SequenceRange(3, 5, 3),
            new SequenceRange(5, 8), new SequenceRange(8, 11, 3),
        }));
    }

    [TestCase(1, 0, false)]
    [TestCase(7, 3, false)]
    [TestCase(12, 2, true)]
    [TestCase(25, 5, true)]
    [TestCase(100, 9, true)]
    public void PlansTileTheSequenceWithNoFrameLostOrDuplicated(int frames, int max, bool cuts)
    {
        var survey = new SequenceSurvey(frames, cuts ? Enumerable.Range(1, frames - 1).Where(i => i % 7 == 0).ToArray() : []);
        var plan = SegmentPlanner.Plan(survey, SegmentOptions.None with { MaxSegmentFrames = max == 0 ? null : max, Overlap = 3, SplitAtSceneCuts = cuts });
        var covered = plan.SelectMany(r => Enumerable.Range(r.Start, r.Count)).ToArray();
        Assert.That(covered, Is.EqualTo(Enumerable.Range(0, frames)), "every frame once, in order");
        Assert.That(plan.Select(r => r.Count), Is.All.LessThanOrEqualTo(max == 0 ? frames : max));
        Assert.That(plan.Where(r => survey.Cuts.Contains(r.Start) || r.Start == 0).Select(r => r.WarmUp), Is.All.EqualTo(0), "no warm-up at a shot's start");
    }

    [Test]
    public void BadRangesAreRefusedWithClearMessages()
    {
        Assert.That(Assert.Throws<InvalidInputException>(() => _ = new SequenceRange(-1, 3))!.Message, Does.Contain("start at frame 0"));
        Assert.That(Assert.Throws<InvalidInputException>(() => _ = new SequenceRange(4, 4))!.Message, Does.Contain("at least one frame"));
        Assert.That(Assert.Throws<InvalidInputException>(() => _ = new SequenceRange(2, 6, 3))!.Message, Does.Contain("only 2 frame(s) before it"));
        Assert.That(Assert.Throws<InvalidInputException>(() => new SequenceRange(4, 9, 1).CheckWithin(8))!.Message, Does.Contain("has 8 frame(s)"));
    }

    [Test]
    public void BadOptionsAndSurveysAreRefused()
    {
        Assert.Throws<InvalidInputException>(() => SegmentPlanner.Plan(new SequenceSurvey(5, []), SegmentOptions.None with { MaxSegmentFrames = 0 }));
        Assert.Throws<InvalidInputException>(() => SegmentPlanner.Plan(new SequenceSurvey(5, []), SegmentOptions.None with { Overlap = -1 }));
        Assert.Throws<InvalidInputException>(() => SegmentPlanner.Plan(new SequenceSurvey(5, []), SegmentOptions.None with { SceneCutThreshold = 1.5 }));
        Assert.Throws<InvalidInputException>(() => SegmentPlanner.Plan(new SequenceSurvey(0, []), SegmentOptions.None));
        var cut = Assert.Throws<InvalidInputException>(() => SegmentPlanner.Plan(new SequenceSurvey(5, [3, 2]), SegmentOptions.None with { SplitAtSceneCuts = true }));
        Assert.That(cut!.Message, Does.Contain("ascending"));
    }
}
