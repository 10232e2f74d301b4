using StableVsr.Evaluation;
using StableVsr.Evaluation.Metrics;
using StableVsr.Evaluation.Running;
using StableVsr.Models.Raft;
using TorchSharp;

namespace StableVsr.Tests.Evaluation;

/// <summary>The per-batch loop keeps nothing but the sequence's last frame: no tensor outlives a step.</summary>
public class EngineMemoryTests
{
    [Test]
    public void EveryMetricLeavesNoTensorAlivePerStep()
    {
        // RAFT with random weights: memory behaviour does not depend on the values.
        using var engine = new MetricEngine(MetricInfo.All.Select(m => m.Metric).ToArray(), torch.CPU, Lpips.Load(MetricsCase.AlexNetWeights), Dists.Load(MetricsCase.Vgg16Weights), new Raft(), false);
        using var state = new SequenceState();
        using var groundTruth = torch.rand(1, 3, 128, 128, generator: new torch.Generator(3));
        using var output = torch.rand(1, 3, 128, 128, generator: new torch.Generator(4));

        engine.Step(state, groundTruth, output);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var step = 0; step < 2; step++)
        {
            var values = engine.Step(state, groundTruth, output);
            Assert.That(values.All(v => v.Count == 6), Is.True, "every metric for every frame past the first");
            Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(live), $"live tensors after step {step + 2}");
        }

        TestContext.Out.WriteLine($"live tensors stay at {live} (the kept last frame pair and its LPIPS features)");
    }
}
