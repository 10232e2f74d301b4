using System.Text.Json.Nodes;
using StableVsr.Sampling.Schedulers;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Sampling.Schedulers;

/// <summary>Reads a scheduler fixture (<c>cases/ddpm.safetensors</c>, <c>cases/ddim.safetensors</c>): its keys, tensors and config metadata.</summary>
internal static class SchedulerFixture
{
    /// <summary>Opens a fixture in <c>cases/</c>.</summary>
    public static SafetensorsFile Open(string name) => SafetensorsFile.Open(Fixtures.Case(name));

    /// <summary>The keys of a fixture, for TestCaseSource enumeration.</summary>
    public static IReadOnlyList<string> Keys(string name)
    {
        using var file = Open(name);
        return file.Keys.ToArray();
    }

    /// <summary>The fixture's <c>config</c> metadata with some keys replaced, parsed through <see cref="SchedulerConfig.Parse"/>.</summary>
    public static SchedulerConfig Config(SafetensorsFile file, string caseName, params (string Key, JsonNode? Value)[] overrides)
    {
        var json = JsonNode.Parse(file.Metadata["config"])!.AsObject();
        foreach (var (key, value) in overrides)
        {
            json[key] = value;
        }

        return SchedulerConfig.Parse(json.ToJsonString(), $"{Path.GetFileName(file.Path)} config for {caseName}");
    }

    /// <summary>max |a − b| as a double.</summary>
    public static double MaxAbsDiff(torch.Tensor actual, torch.Tensor expected)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), "shape");
        using var diff = (actual - expected).abs().max();
        return diff.item<float>();
    }

    /// <summary>
    /// Steps <paramref name="scheduler"/> from the fixture's <c>model_output</c>, <c>sample</c> and <c>noise</c> at
    /// <paramref name="timestep"/> and compares prev_sample with the case <paramref name="prevKey"/> and
    /// pred_original_sample with its <c>_x0</c> twin, both within <paramref name="tolerance"/>.
    /// </summary>
    public static void AssertStepMatches(SafetensorsFile file, string prevKey, NoiseScheduler scheduler, long timestep, double tolerance)
    {
        using var modelOutput = file.Load("model_output");
        using var sample = file.Load("sample");
        using var noise = file.Load("noise");
        using var expectedPrev = file.Load(prevKey);
        using var expectedX0 = file.Load(prevKey[..^"prev".Length] + "x0");
        using var result = scheduler.Step(modelOutput, timestep, sample, noise);

        var prevDiff = MaxAbsDiff(result.PrevSample, expectedPrev);
        var x0Diff = MaxAbsDiff(result.PredOriginalSample, expectedX0);
        TestContext.Out.WriteLine($"{prevKey}: max |diff| prev {prevDiff:E2}, x0 {x0Diff:E2}");
        Assert.Multiple(() =>
        {
            Assert.That(prevDiff, Is.LessThanOrEqualTo(tolerance), "prev_sample");
            Assert.That(x0Diff, Is.LessThanOrEqualTo(tolerance), "pred_original_sample");
        });
    }
}
