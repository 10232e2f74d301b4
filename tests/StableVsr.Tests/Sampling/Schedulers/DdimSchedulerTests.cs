using StableVsr.Sampling.Schedulers;
using StableVsr.Weights.Configs;
using TorchSharp;
using static StableVsr.Tests.Sampling.Schedulers.TestTensors;

namespace StableVsr.Tests.Sampling.Schedulers;

/// <summary>DDIM options the fixture does not cover, against the DDIM formulas in float64, and bad input.</summary>
public class DdimSchedulerTests
{
    private const double Tolerance = 2e-5;
    private static readonly long[] Shape = [1, 4, 3, 3];

    [TestCase(false)]
    [TestCase(true)]
    public void ClippedX0AndOptionallyItsNoiseDriveTheStep(bool useClippedModelOutput)
    {
        var scheduler = new DdimScheduler(new SchedulerConfig { ClipSample = true }, eta: 0, useClippedModelOutput);
        scheduler.SetTimesteps(10);
        var (t, prevT) = (scheduler.Timesteps[0], scheduler.Timesteps[1]);
        using var sample = Normal(1, Shape);
        using var modelOutput = Normal(2, Shape);

        using var result = scheduler.Step(modelOutput, t, sample);

        double a = scheduler.AlphasCumprod[(int)t], aPrev = scheduler.AlphasCumprod[(int)prevT], b = 1 - a;
        var s = Values(sample);
        var e = Values(modelOutput);
        var x0 = s.Select((si, i) => Math.Clamp((si - (Math.Sqrt(b) * e[i])) / Math.Sqrt(a), -1, 1)).ToArray();
        var epsilon = useClippedModelOutput ? s.Select((si, i) => (si - (Math.Sqrt(a) * x0[i])) / Math.Sqrt(b)).ToArray() : e;
        var prev = x0.Select((xi, i) => (Math.Sqrt(aPrev) * xi) + (Math.Sqrt(1 - aPrev) * epsilon[i])).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(x0.Count(v => Math.Abs(v) == 1), Is.GreaterThan(0), "the case must clip");
            Assert.That(MaxAbsDiff(result.PredOriginalSample, x0), Is.LessThan(Tolerance), "x0");
            Assert.That(MaxAbsDiff(result.PrevSample, prev), Is.LessThan(Tolerance), "prev");
        });
    }

    [Test]
    public void SetAlphaToOneMakesTheLastStepReturnX0()
    {
        using var sample = Normal(1, Shape);
        using var modelOutput = Normal(2, Shape);
        var toOne = new DdimScheduler(new SchedulerConfig { ClipSample = false, SetAlphaToOne = true });
        var toFirst = new DdimScheduler(new SchedulerConfig { ClipSample = false, SetAlphaToOne = false });
        toOne.SetTimesteps(10);
        toFirst.SetTimesteps(10);

        using var last = toOne.Step(modelOutput, 0, sample);
        using var lastToFirst = toFirst.Step(modelOutput, 0, sample);

        Assert.Multiple(() =>
        {
            Assert.That(last.PrevSample.Equals(last.PredOriginalSample), Is.True);
            Assert.That(lastToFirst.PrevSample.Equals(lastToFirst.PredOriginalSample), Is.False);
        });
    }

    [Test]
    public void NoiseIsNeededOnlyForPositiveEta()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new DdimScheduler(new SchedulerConfig()).NeedsVarianceNoise(500), Is.False);
            Assert.That(new DdimScheduler(new SchedulerConfig(), eta: 0.5).NeedsVarianceNoise(500), Is.True);
        });
    }

    [Test]
    public void PositiveEtaWithoutNoiseIsRejected()
    {
        var scheduler = new DdimScheduler(new SchedulerConfig(), eta: 1);
        scheduler.SetTimesteps(10);
        using var sample = Normal(1, Shape);

        Assert.That(() => scheduler.Step(sample, scheduler.Timesteps[0], sample), Throws.TypeOf<InvalidInputException>().With.Message.Contains("noise"));
    }

    [Test]
    public void SteppingBeforeSetTimestepsIsRejected()
    {
        var scheduler = new DdimScheduler(new SchedulerConfig());
        using var sample = Normal(1, Shape);

        Assert.That(() => scheduler.Step(sample, 999, sample), Throws.TypeOf<InvalidInputException>().With.Message.Contains("SetTimesteps"));
    }

    [Test]
    public void TimestepNotInTheScheduleIsRejected()
    {
        var scheduler = new DdimScheduler(new SchedulerConfig());
        scheduler.SetTimesteps(20);
        using var sample = Normal(1, Shape);

        Assert.That(() => scheduler.Step(sample, 123, sample), Throws.TypeOf<InvalidInputException>().With.Message.Contains("not in"));
    }

    [TestCase(-0.1)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void InvalidEtaIsRejected(double eta)
    {
        Assert.Throws<InvalidInputException>(() => _ = new DdimScheduler(new SchedulerConfig(), eta));
    }

    [Test]
    public void SigmoidScheduleIsRefusedLikeDiffusers()
    {
        var error = Assert.Throws<UnsupportedConfigException>(() => _ = new DdimScheduler(new SchedulerConfig { BetaSchedule = BetaSchedule.Sigmoid }));

        Assert.That(error!.Key, Is.EqualTo("beta_schedule"));
    }
}
