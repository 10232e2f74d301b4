using StableVsr.Evaluation;
using StableVsr.Tests.Models;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Evaluation;

/// <summary>
/// The whole of eval.py on the fixture frames (PNG files in its folder layout, read, paired, streamed, averaged per
/// sequence and over sequences): every per-frame value, the unrounded means and the printed line.
/// </summary>
[Category("Parity")]
public class EvaluationParityTests
{
    /// <summary>What eval.py printed on these frames (MUSIQ, CLIP and NIQE left out).</summary>
    public const string EvalPyLine = "PSNR: 28.26, SSIM: 0.747, LPIPS: 0.11, DISTS: 0.067, tLPIPS: 136.57, tOF: 5.856";

    private static readonly Dictionary<Metric, (string Key, double Tolerance)> Fixture = new()
    {
        [Metric.Psnr] = ("psnr", 5e-5),
        [Metric.Ssim] = ("ssim", 5e-5),
        [Metric.Lpips] = ("lpips", 1e-6),
        [Metric.Dists] = ("dists", 2e-6),
        [Metric.TLpips] = ("tlpips", 1e-6),
        [Metric.Tof] = ("tof", 1e-5),
    };

    private static readonly Lazy<EvaluationResult> SharedResult = new(() =>
    {
        using var evaluator = VideoEvaluator.LoadAsync(FixtureWeights, EvaluationOptions.Default with { Device = ComputeDevice.Cpu, BatchSize = 2 }).GetAwaiter().GetResult();
        return evaluator.EvaluateFoldersAsync(Path.Combine(MetricsCase.FramesRoot, "rec"), Path.Combine(MetricsCase.FramesRoot, "gt")).GetAwaiter().GetResult();
    });

    /// <summary>The fixture's random backbones and RAFT.</summary>
    public static EvaluationWeights FixtureWeights => new(MetricsCase.AlexNetWeights, MetricsCase.Vgg16Weights, MetricsCase.RaftWeights);

    /// <summary>eval.py's run on the fixture frames (batches of 2 pairs, so one batch carries a sequence's last frame into the next).</summary>
    public static EvaluationResult Result => SharedResult.Value;

    [Test]
    public void PrintsEvalPysLine()
    {
        TestContext.Out.WriteLine(Result.SummaryLine);
        Assert.That(Result.SummaryLine, Is.EqualTo(EvalPyLine));
    }

    [Test]
    public void EveryFrameValueMatches()
    {
        using var reference = MetricsCase.Open();
        Assert.That(Result.Sequences.Select(s => s.Name), Is.EqualTo(MetricsCase.Sequences));
        foreach (var sequence in MetricsCase.Sequences)
        {
            var frames = Result.Frames.Where(f => f.Sequence == sequence).ToArray();
            Assert.That(frames.Select(f => f.Index), Is.EqualTo(Enumerable.Range(0, frames.Length)));
            Assert.That(frames.Select(f => f.GroundTruthName), Is.EqualTo(frames.Select(f => f.OutputName)), "paired by name");
            foreach (var (metric, (key, tolerance)) in Fixture)
            {
                var temporal = MetricInfo.Of(metric).IsTemporal;
                var actual = frames.Skip(temporal ? 1 : 0).Select(f => f.Get(metric)!.Value).ToArray();
                using var measured = torch.tensor(actual);
                using var expected = reference.Tensor($"seq{sequence}_{key}");
                TensorAssert.Close(measured, expected, tolerance, $"{MetricInfo.Of(metric).Name} seq {sequence}");
                if (temporal)
                {
                    Assert.That(frames[0].Get(metric), Is.Null, "undefined for the first frame");
                }
            }
        }
    }

    [Test]
    public void UnroundedMeansMatch()
    {
        using var reference = MetricsCase.Open();
        foreach (var (metric, (_, tolerance)) in Fixture)
        {
            var info = MetricInfo.Of(metric);
            using var expected = reference.Tensor($"summary_{info.Name}_unrounded");
            var diff = Math.Abs((Result.Overall[metric] * info.Scale) - expected.item<double>());
            TestContext.Out.WriteLine($"{info.Name} mean of sequence means: {Result.Overall[metric] * info.Scale:R}, |diff| {diff:E2}");
            Assert.That(diff, Is.LessThanOrEqualTo(tolerance * info.Scale), info.Name);
        }
    }
}
