using StableVsr.Sampling.Schedulers;
using StableVsr.Weights.Configs;
using TorchSharp;
using static StableVsr.Tests.Sampling.Schedulers.TestTensors;

namespace StableVsr.Tests.Sampling.Schedulers;

/// <summary>
/// DDPM options the fixture does not cover, checked against the DDPM formulas evaluated in float64, plus the
/// scheduler's bad-input behaviour.
/// </summary>
public class DdpmSchedulerTests
{
    private const double Tolerance = 2e-5;
    private static readonly long[] Shape = [1, 4, 3, 3];

    [TestCase(VarianceType.FixedSmall)]
    [TestCase(VarianceType.FixedSmallLog)]
    [TestCase(VarianceType.FixedLarge)]
    [TestCase(VarianceType.FixedLargeLog)]
    [TestCase(VarianceType.Learned)]
    [TestCase(VarianceType.LearnedRange)]
    public void EveryVarianceTypeScalesTheNoiseAsDefined(object variance)
    {
        var varianceType = (VarianceType)variance;
        var scheduler = new DdpmScheduler(new SchedulerConfig { ClipSample = false, VarianceType = varianceType });
        scheduler.SetTimesteps(10);
        var (t, prevT) = (scheduler.Timesteps[4], scheduler.Timesteps[5]);
        var learned = varianceType is VarianceType.Learned or VarianceType.LearnedRange;
        using var sample = Normal(1, Shape);
        using var epsilon = Normal(2, Shape);
        using var predictedVariance = Uniform(3, 0.05, 1.0, Shape);
        using var modelOutput = learned ? torch.cat([epsilon, predictedVariance], 1) : epsilon.alias();
        using var noise = Normal(4, Shape);

        using var result = scheduler.Step(modelOutput, t, sample, noise);

        double a = scheduler.AlphasCumprod[(int)t], aPrev = scheduler.AlphasCumprod[(int)prevT];
        double b = 1 - a, bPrev = 1 - aPrev, currentAlpha = a / aPrev, currentBeta = 1 - currentAlpha;
        var posteriorVariance = Math.Max(bPrev / b * currentBeta, 1e-20);
        var s = Values(sample);
        var e = Values(epsilon);
        var v = Values(predictedVariance);
        var z = Values(noise);
        var x0 = s.Select((si, i) => (si - (Math.Sqrt(b) * e[i])) / Math.Sqrt(a)).ToArray();
        var prev = s.Select((si, i) =>
        {
            var mean = (Math.Sqrt(aPrev) * currentBeta / b * x0[i]) + (Math.Sqrt(currentAlpha) * bPrev / b * si);
            var std = varianceType switch
            {
                VarianceType.FixedSmall or VarianceType.FixedSmallLog => Math.Sqrt(posteriorVariance),
                VarianceType.FixedLarge or VarianceType.FixedLargeLog => Math.Sqrt(currentBeta),
                VarianceType.Learned => Math.Sqrt(v[i]),
                _ => Math.Exp(0.5 * ((((v[i] + 1) / 2) * Math.Log(currentBeta)) + ((1 - ((v[i] + 1) / 2)) * Math.Log(posteriorVariance)))),
            };
            return mean + (std * z[i]);
        }).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(MaxAbsDiff(result.PredOriginalSample, x0), Is.LessThan(Tolerance), "x0");
            Assert.That(MaxAbsDiff(result.PrevSample, prev), Is.LessThan(Tolerance), "prev");
        });
    }

    [Test]
    public void LastStepAddsNoNoiseAndNeedsNone()
    {
        var scheduler = new DdpmScheduler(new SchedulerConfig { ClipSample = false });
        scheduler.SetTimesteps(10);
        using var sample = Normal(1, Shape);
        using var modelOutput = Normal(2, Shape);

        Assert.That(scheduler.Timesteps[^1], Is.Zero);
        Assert.That(scheduler.NeedsVarianceNoise(0), Is.False);
        using var result = scheduler.Step(modelOutput, 0, sample);

        // With alpha_bar_prev = 1 the posterior mean is x0 itself.
        Assert.That(MaxAbsDiff(result.PrevSample, Values(result.PredOriginalSample)), Is.LessThan(1e-6));
    }

    [Test]
    public void DynamicThresholdingClampsEachItemToItsQuantile()
    {
        var config = new SchedulerConfig { PredictionType = PredictionType.Sample, Thresholding = true, DynamicThresholdingRatio = 0.9, SampleMaxValue = 1.5 };
        var scheduler = new DdpmScheduler(config);
        scheduler.SetTimesteps(10);

        // Item 0 stays within [-1, 1] (s = 1), item 1's quantile lies between 1 and 1.5, item 2's is capped at 1.5.
        using var modelOutput = torch.cat([Uniform(1, -0.9, 0.9, 1, 4, 4, 4), Uniform(2, -1.3, 1.3, 1, 4, 4, 4), Uniform(3, -4, 4, 1, 4, 4, 4)], 0);
        using var sample = Normal(4, 3, 4, 4, 4);
        using var noise = Normal(5, 3, 4, 4, 4);

        using var result = scheduler.Step(modelOutput, scheduler.Timesteps[0], sample, noise);

        var values = Values(modelOutput);
        var perItem = values.Length / 3;
        var expected = new double[values.Length];
        var thresholds = new double[3];
        for (var item = 0; item < 3; item++)
        {
            var slice = values.Skip(item * perItem).Take(perItem).ToArray();
            thresholds[item] = Math.Clamp(Quantile(slice.Select(Math.Abs).ToArray(), config.DynamicThresholdingRatio), 1, config.SampleMaxValue);
            for (var i = 0; i < perItem; i++)
            {
                expected[(item * perItem) + i] = Math.Clamp(slice[i], -thresholds[item], thresholds[item]) / thresholds[item];
            }
        }

        Assert.That(thresholds[0], Is.EqualTo(1));
        Assert.That(thresholds[1], Is.GreaterThan(1).And.LessThan(1.5));
        Assert.That(thresholds[2], Is.EqualTo(1.5));
        Assert.That(MaxAbsDiff(result.PredOriginalSample, expected), Is.LessThan(1e-6));
    }

    [Test]
    public void ClippingUsesTheConfiguredRange()
    {
        var scheduler = new DdpmScheduler(new SchedulerConfig { PredictionType = PredictionType.Sample, ClipSample = true, ClipSampleRange = 0.5 });
        scheduler.SetTimesteps(10);
        using var modelOutput = Normal(1, Shape);
        using var sample = Normal(2, Shape);
        using var noise = Normal(3, Shape);

        using var result = scheduler.Step(modelOutput, scheduler.Timesteps[0], sample, noise);

        Assert.That(MaxAbsDiff(result.PredOriginalSample, Values(modelOutput).Select(v => Math.Clamp(v, -0.5, 0.5)).ToArray()), Is.Zero);
    }

    [Test]
    public void CustomTimestepsEqualToTheSpacedOnesStepIdentically()
    {
        var config = new SchedulerConfig { BetaSchedule = BetaSchedule.ScaledLinear, PredictionType = PredictionType.VPrediction, StepsOffset = 1, ClipSample = false };
        var spaced = new DdpmScheduler(config);
        spaced.SetTimesteps(25);
        var custom = new DdpmScheduler(config);
        custom.SetTimesteps(spaced.Timesteps);
        using var sample = Normal(1, Shape);
        using var modelOutput = Normal(2, Shape);
        using var noise = Normal(3, Shape);

        Assert.That(custom.Timesteps, Is.EqualTo(spaced.Timesteps));
        Assert.That(custom.NumInferenceSteps, Is.Null);
        foreach (var t in spaced.Timesteps)
        {
            using var expected = spaced.Step(modelOutput, t, sample, noise);
            using var actual = custom.Step(modelOutput, t, sample, noise);
            Assert.That(actual.PrevSample.Equals(expected.PrevSample), Is.True, $"prev at t={t}");
        }
    }

    [Test]
    public void CustomTimestepsStepToTheNextListedTimestep()
    {
        var scheduler = new DdpmScheduler(new SchedulerConfig { PredictionType = PredictionType.Sample, ClipSample = false });
        scheduler.SetTimesteps([999, 500, 7]);
        using var sample = Normal(1, Shape);
        using var modelOutput = Normal(2, Shape);
        using var noise = Normal(3, Shape);

        using var result = scheduler.Step(modelOutput, 500, sample, noise);

        double a = scheduler.AlphasCumprod[500], aPrev = scheduler.AlphasCumprod[7];
        double b = 1 - a, bPrev = 1 - aPrev, currentBeta = 1 - (a / aPrev);
        var s = Values(sample);
        var x0 = Values(modelOutput);
        var z = Values(noise);
        var expected = s.Select((si, i) => (Math.Sqrt(aPrev) * currentBeta / b * x0[i]) + (Math.Sqrt(a / aPrev) * bPrev / b * si) + (Math.Sqrt(bPrev / b * currentBeta) * z[i])).ToArray();
        Assert.That(MaxAbsDiff(result.PrevSample, expected), Is.LessThan(Tolerance));
    }

    [TestCase(0)]
    [TestCase(1001)]
    public void StepCountsOutsideTheTrainingRangeAreRejected(int steps)
    {
        var scheduler = new DdpmScheduler(new SchedulerConfig());

        var error = Assert.Throws<InvalidInputException>(() => scheduler.SetTimesteps(steps));

        Assert.That(error!.Message, Does.Contain(steps.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("1000"));
    }

    [TestCase(new long[] { 10, 20 }, "descending")]
    [TestCase(new long[] { 500, 500, 1 }, "descending")]
    [TestCase(new long[] { 1000, 5 }, "below num_train_timesteps")]
    [TestCase(new long[] { 5, -1 }, "negative")]
    [TestCase(new long[0], "at least one")]
    public void InvalidCustomTimestepsAreRejected(long[] timesteps, string reason)
    {
        var scheduler = new DdpmScheduler(new SchedulerConfig());

        var error = Assert.Throws<InvalidInputException>(() => scheduler.SetTimesteps(timesteps));

        Assert.That(error!.Message, Does.Contain(reason));
    }

    [TestCase(501L, "not in")]
    [TestCase(-1L, "outside")]
    [TestCase(1000L, "outside")]
    public void TimestepsOutsideTheScheduleAreRejected(long timestep, string reason)
    {
        var scheduler = new DdpmScheduler(new SchedulerConfig());
        scheduler.SetTimesteps(50);
        using var sample = Normal(1, Shape);
        using var noise = Normal(2, Shape);

        var error = Assert.Throws<InvalidInputException>(() => scheduler.Step(sample, timestep, sample, noise));

        Assert.That(error!.Message, Does.Contain(reason).And.Contain(timestep.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void LeadingOffsetPastTheLastTrainingTimestepCannotBeStepped()
    {
        // As in diffusers, 1000 leading steps with steps_offset 1 list timestep 1000, which has no alpha_bar.
        var scheduler = new DdpmScheduler(new SchedulerConfig { StepsOffset = 1 });
        scheduler.SetTimesteps(1000);
        using var sample = Normal(1, Shape);
        using var noise = Normal(2, Shape);

        Assert.That(scheduler.Timesteps[0], Is.EqualTo(1000));
        Assert.Throws<InvalidInputException>(() => scheduler.Step(sample, 1000, sample, noise));
    }

    [Test]
    public void MissingOrMisshapedNoiseIsRejected()
    {
        var scheduler = new DdpmScheduler(new SchedulerConfig());
        scheduler.SetTimesteps(10);
        using var sample = Normal(1, Shape);
        using var wrongShape = Normal(2, 1, 4, 3, 2);

        Assert.That(scheduler.NeedsVarianceNoise(scheduler.Timesteps[0]), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(() => scheduler.Step(sample, scheduler.Timesteps[0], sample), Throws.TypeOf<InvalidInputException>().With.Message.Contains("noise"));
            Assert.That(() => scheduler.Step(sample, scheduler.Timesteps[0], sample, wrongShape), Throws.TypeOf<InvalidInputException>().With.Message.Contains("variance noise"));
        });
    }

    [Test]
    public void ModelOutputOfAnotherShapeIsRejected()
    {
        var scheduler = new DdpmScheduler(new SchedulerConfig());
        scheduler.SetTimesteps(10);
        using var sample = Normal(1, Shape);
        using var doubled = Normal(2, 1, 8, 3, 3);

        Assert.That(() => scheduler.Step(doubled, 0, sample), Throws.TypeOf<InvalidInputException>().With.Message.Contains("model output"));
    }

    [Test]
    public void LearnedVarianceWithoutItsChannelsIsRejectedWhenNoiseIsAdded()
    {
        var scheduler = new DdpmScheduler(new SchedulerConfig { VarianceType = VarianceType.LearnedRange });
        scheduler.SetTimesteps(10);
        using var sample = Normal(1, Shape);
        using var noise = Normal(2, Shape);

        Assert.That(() => scheduler.Step(sample, scheduler.Timesteps[0], sample, noise), Throws.TypeOf<InvalidInputException>().With.Message.Contains("8 channels"));
    }

    [Test]
    public void ZeroSnrRescalingIsRefusedLikeDiffusers0211()
    {
        var error = Assert.Throws<UnsupportedConfigException>(() => new DdpmScheduler(new SchedulerConfig { RescaleBetasZeroSnr = true }));

        Assert.That(error!.Key, Is.EqualTo("rescale_betas_zero_snr"));
    }

    [Test]
    public void RepeatedStepsLeaveNoTensorsBehind()
    {
        var scheduler = new DdpmScheduler(new SchedulerConfig { Thresholding = true, VarianceType = VarianceType.FixedSmallLog });
        scheduler.SetTimesteps(20);
        using var sample = Normal(1, Shape);
        using var modelOutput = Normal(2, Shape);
        using var noise = Normal(3, Shape);
        scheduler.Step(modelOutput, scheduler.Timesteps[0], sample, noise).Dispose();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        foreach (var t in scheduler.Timesteps)
        {
            using var result = scheduler.Step(modelOutput, t, sample, noise);
        }

        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }

    // torch.quantile's default: linear interpolation between the two nearest order statistics.
    private static double Quantile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((sorted[above] - sorted[below]) * (position - below));
    }
}
