using StableVsr.Tests.Support;
using StableVsr.Training.Optimization;
using StableVsr.Training.Randomness;
using StableVsr.Training.Steps;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Training;

/// <summary>The training hot loop (step, clipping, AdamW, zeroing) leaves no live tensor behind from one step to the next.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class TrainingStepMemoryTests
{
    [Test]
    public void RepeatedStepsKeepTheLiveTensorCountFlat()
    {
        using var fixture = SafetensorsFile.Open(Fixtures.Case("train_step.safetensors"));
        using var prompt = fixture.Load("prompt_embeds");
        using var tiny = new TinyTrainingNetworks(prompt);
        var step = new TrainingStep(tiny.Networks with { RaftIterations = 2 });
        using var optimizer = new AdamW(tiny.Parameters, 0.9, 0.999, 1e-2, 1e-8);
        var randomness = new SeededTrainingRandomness(1);
        using var gt = fixture.Load("gt")[..1].clone();
        using var lq = fixture.Load("lq")[..1].clone();
        var live = new List<long>();

        for (var i = 0; i < 3; i++)
        {
            step.Run(gt, lq, randomness.ForBatch(i));
            GradientClipping.ClipByTotalNorm(tiny.Parameters.Select(p => p.Parameter), 1.0);
            optimizer.Step(1e-4);
            optimizer.ZeroGrad();
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        TestContext.Out.WriteLine("live tensors after each step: " + string.Join(", ", live));
        Assert.That(live[2], Is.EqualTo(live[1]), "the second and third steps leave as many live tensors as the first");
        Assert.That(live[1], Is.EqualTo(live[0]));
    }
}
