using StableVsr.Evaluation;
using StableVsr.Evaluation.Summary;

namespace StableVsr.Tests.Evaluation;

/// <summary>eval.py's arithmetic after the metrics: numpy's mean and round, Python's float printing.</summary>
public class SummaryFormattingTests
{
    [TestCase(28.26, "28.26")]
    [TestCase(0.11, "0.11")]
    [TestCase(0.747, "0.747")]
    [TestCase(136.57, "136.57")]
    [TestCase(5.856, "5.856")]
    [TestCase(28.0, "28.0")]
    [TestCase(0.1 + 0.2, "0.30000000000000004")]
    [TestCase(1e16, "1e+16")]
    [TestCase(1.5e16, "1.5e+16")]
    [TestCase(9999999999999998.0, "9999999999999998.0")]
    [TestCase(0.0001, "0.0001")]
    [TestCase(0.00001, "1e-05")]
    [TestCase(-1.19e-7, "-1.19e-07")]
    [TestCase(123456789.125, "123456789.125")]
    [TestCase(0.0, "0.0")]
    [TestCase(-0.0, "-0.0")]
    [TestCase(double.PositiveInfinity, "inf")]
    [TestCase(double.NegativeInfinity, "-inf")]
    [TestCase(double.NaN, "nan")]
    public void PrintsAsPython(double value, string python) => Assert.That(PythonFloat.Format(value), Is.EqualTo(python));

    [TestCase(0.125, 2, 0.12)]
    [TestCase(0.375, 2, 0.38)]
    [TestCase(2.5, 0, 2.0)]
    [TestCase(28.255370934804283, 2, 28.26)]
    [TestCase(136.57090067863464, 2, 136.57)]
    [TestCase(double.PositiveInfinity, 2, double.PositiveInfinity)]
    public void RoundsAsNumpy(double value, int decimals, double expected) => Assert.That(NumpyMath.Round(value, decimals), Is.EqualTo(expected));

    [Test]
    public void MeanSumsPairwiseAsNumpy()
    {
        // Below 8 values numpy adds in order; from 8 on with eight interleaved accumulators; past 128 it halves.
        double[] small = [0.1, 0.2, 0.3];
        Assert.That(NumpyMath.Mean(small), Is.EqualTo(((0.1 + 0.2) + 0.3) / 3));

        var eight = Enumerable.Range(1, 9).Select(i => 1.0 / i).ToArray();
        var accumulators = ((eight[0] + eight[1]) + (eight[2] + eight[3])) + ((eight[4] + eight[5]) + (eight[6] + eight[7]));
        Assert.That(NumpyMath.Mean(eight), Is.EqualTo((accumulators + eight[8]) / 9));

        var many = Enumerable.Range(0, 1000).Select(i => Math.Sin(i) * 1e3).ToArray();
        Assert.That(NumpyMath.Mean(many), Is.EqualTo(many.Average()).Within(1e-12));
        Assert.That(NumpyMath.Mean([]), Is.NaN);
    }

    [Test]
    public void SummaryLineFollowsEvalPysOrderAndRules()
    {
        FrameMetrics Frame(string sequence, int index, double psnr, double? tof) =>
            new(sequence, index, null, null, tof is null ? new Dictionary<Metric, double> { [Metric.Psnr] = psnr } : new Dictionary<Metric, double> { [Metric.Psnr] = psnr, [Metric.Tof] = tof.Value });

        // Sequence a: mean PSNR 30, tOF 0.25; sequence b: one frame, so its tOF mean is nan and so is the overall tOF.
        var result = EvaluationResult.Create([Metric.Tof, Metric.Psnr], [Frame("a", 0, 29, null), Frame("a", 1, 31, 0.25), Frame("b", 0, 20, null)]);

        Assert.That(result.Metrics, Is.EqualTo(new[] { Metric.Psnr, Metric.Tof }));
        Assert.That(result.SummaryLine, Is.EqualTo("PSNR: 25.0, tOF: nan"));
        Assert.That(result.Sequences[0].Means[Metric.Tof], Is.EqualTo(0.25));
    }

    [TestCase("PSNR", Metric.Psnr)]
    [TestCase("tlpips", Metric.TLpips)]
    [TestCase(" TOF ", Metric.Tof)]
    [TestCase("musiq", Metric.Musiq)]
    [TestCase("CLIP", Metric.ClipIqa)]
    [TestCase("clipiqa", Metric.ClipIqa)]
    [TestCase("clip-iqa", Metric.ClipIqa)]
    [TestCase("niqe", Metric.Niqe)]
    public void ParsesMetricNames(string name, Metric metric) => Assert.That(MetricInfo.Parse(name), Is.EqualTo(metric));

    [Test]
    public void UnknownMetricNamesThePossibleOnes()
    {
        var error = Assert.Throws<InvalidInputException>(() => MetricInfo.Parse("brisque"));

        Assert.That(error!.Message, Does.Contain("brisque").And.Contain("psnr, ssim, lpips, dists, musiq, clip, niqe, tlpips, tof"));
    }
}
