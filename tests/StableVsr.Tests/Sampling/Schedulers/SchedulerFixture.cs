using System.Text.Json.Nodes;
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
}
