using StableVsr.Evaluation;
using StableVsr.Tests.Models;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Evaluation;

/// <summary>
/// The whole of eval.py on the fixture frames (PNG files in its folder layout, read, paired, streamed, averaged per
/// sequence and over sequences): every per-frame value, the unrounded means and the printed line, each read from the
/// fixture file (its metadata names the sequences, the printed line and the tolerances), so any set made by the same
/// generator runs unchanged.
/// </summary>
[Category("Parity")]
public class EvaluationParityTests
{
    private static readonly Lazy<EvaluationResult> SharedResult = new(() =>
    {
        var options = EvaluationOptions.Default with { Metrics = MetricsCase.PrintedMetrics, Device = ComputeDevice.Cpu, BatchSize = 2 };
        using var evaluator = VideoEvaluator.LoadAsync(FixtureWeights, options).GetAwaiter().GetResult();
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
        Assert.That(Result.SummaryLine, Is.EqualTo(MetricsCase.PrintedLine));
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
            foreach (var metric in MetricsCase.PrintedMetrics)
            {
                var (key, tolerance) = (MetricInfo.Of(metric).Name.ToLowerInvariant(), MetricsCase.Tolerance(metric));
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
        foreach (var metric in MetricsCase.PrintedMetrics)
        {
            var info = MetricInfo.Of(metric);
            var tolerance = MetricsCase.Tolerance(metric);
            using var expected = reference.Tensor($"summary_{info.Name}_unrounded");
            var diff = Math.Abs((Result.Overall[metric] * info.Scale) - expected.item<double>());
            TestContext.Out.WriteLine($"{info.Name} mean of sequence means: {Result.Overall[metric] * info.Scale:R}, |diff| {diff:E2}");
            Assert.That(diff, Is.LessThanOrEqualTo(tolerance * info.Scale), info.Name);
        }
    }
}
