using StableVsr.Sampling.Schedulers;
using StableVsr.Weights.Configs;

namespace StableVsr.Tests.Sampling.Schedulers;

/// <summary>
/// alpha_bar for every beta schedule against the closed forms computed in float64. The fixtures only cover
/// scaled_linear; these catch a wrong formula, while the parity tests prove the float32 rounding.
/// </summary>
public class NoiseScheduleTests
{
    // float32 rounding of 1000 factors accumulates to a few 1e-6 relative; a wrong schedule is off by far more.
    private const double TolerancePercent = 0.01;

    [Test]
    public void Linear()
    {
        var config = new SchedulerConfig { BetaSchedule = BetaSchedule.Linear };
        var n = config.NumTrainTimesteps;
        var betas = Enumerable.Range(0, n).Select(i => config.BetaStart + ((config.BetaEnd - config.BetaStart) * i / (n - 1)));

        AssertAlphasCumprod(new DdpmScheduler(config).AlphasCumprod, betas);
    }

    [Test]
    public void ScaledLinear()
    {
        var config = new SchedulerConfig { BetaSchedule = BetaSchedule.ScaledLinear };
        var n = config.NumTrainTimesteps;
        var (lo, hi) = (Math.Sqrt(config.BetaStart), Math.Sqrt(config.BetaEnd));
        var betas = Enumerable.Range(0, n).Select(i => Math.Pow(lo + ((hi - lo) * i / (n - 1)), 2));

        AssertAlphasCumprod(new DdpmScheduler(config).AlphasCumprod, betas);
    }

    [Test]
    public void SquaredCosCapV2TelescopesToTheCosineAlphaBar()
    {
        var config = new SchedulerConfig { BetaSchedule = BetaSchedule.SquaredCosCapV2 };
        var n = config.NumTrainTimesteps;
        static double F(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);

        var alphasCumprod = new DdpmScheduler(config).AlphasCumprod;

        // Every beta but the last (capped at 0.999) is 1 - F(t2)/F(t1), so the product telescopes.
        for (var i = 0; i < n - 1; i++)
        {
            Assert.That(alphasCumprod[i], Is.EqualTo(F((i + 1.0) / n) / F(0)).Within(TolerancePercent).Percent, $"alpha_bar at t={i}");
        }

        Assert.That(alphasCumprod[n - 1], Is.EqualTo(alphasCumprod[n - 2] * (1 - 0.999)).Within(1e-6 * alphasCumprod[n - 2]));
    }

    [Test]
    public void Sigmoid()
    {
        var config = new SchedulerConfig { BetaSchedule = BetaSchedule.Sigmoid };
        var n = config.NumTrainTimesteps;
        var betas = Enumerable.Range(0, n)
            .Select(i => -6 + (12.0 * i / (n - 1)))
            .Select(x => (1 / (1 + Math.Exp(-x)) * (config.BetaEnd - config.BetaStart)) + config.BetaStart);

        AssertAlphasCumprod(new DdpmScheduler(config).AlphasCumprod, betas);
    }

    [Test]
    public void TrainedBetasReplaceTheSchedule()
    {
        var config = new SchedulerConfig { NumTrainTimesteps = 3, TrainedBetas = [0.1, 0.2, 0.3], BetaSchedule = BetaSchedule.ScaledLinear };

        AssertAlphasCumprod(new DdpmScheduler(config).AlphasCumprod, config.TrainedBetas);
    }

    [Test]
    public void ZeroTerminalSnrRescalingEndsAtZeroAndKeepsTheStart()
    {
        var config = new SchedulerConfig { BetaSchedule = BetaSchedule.ScaledLinear };
        var plain = new DdimScheduler(config).AlphasCumprod;

        var rescaled = new DdimScheduler(config with { RescaleBetasZeroSnr = true }).AlphasCumprod;

        Assert.Multiple(() =>
        {
            Assert.That(rescaled[^1], Is.Zero);
            Assert.That(rescaled[0], Is.EqualTo(plain[0]).Within(1e-6));
            Assert.That(rescaled.Zip(rescaled.Skip(1)).All(p => p.Second <= p.First), Is.True, "alpha_bar must not increase");
        });
    }

    private static void AssertAlphasCumprod(IReadOnlyList<float> alphasCumprod, IEnumerable<double> betas)
    {
        var expected = 1.0;
        var i = 0;
        foreach (var beta in betas)
        {
            expected *= 1 - beta;
            Assert.That(alphasCumprod[i], Is.EqualTo(expected).Within(TolerancePercent).Percent, $"alpha_bar at t={i}");
            i++;
        }

        Assert.That(i, Is.EqualTo(alphasCumprod.Count));
    }
}
