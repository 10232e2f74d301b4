using System.Text.Json;

namespace StableVsr.Tests.Support;

/// <summary>
/// Reads the key/shape manifests of the full-size models (<c>full-size/*/manifest.json</c>), which come either as a
/// flat <c>{ key: shape }</c> object or as <c>{ "tensors": { key: shape }, ... }</c>.
/// </summary>
public static class ModelManifest
{
    /// <summary>Every key of the manifest with its shape.</summary>
    public static IReadOnlyDictionary<string, long[]> ReadShapes(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var tensors = doc.RootElement.TryGetProperty("tensors", out var nested) ? nested : doc.RootElement;
        return tensors.EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Value.EnumerateArray().Select(d => d.GetInt64()).ToArray(),
            StringComparer.Ordinal);
    }

    /// <summary>The keys and shapes of a module's state dict.</summary>
    public static IReadOnlyDictionary<string, long[]> ShapesOf(TorchSharp.torch.nn.Module module) =>
        module.state_dict().ToDictionary(p => p.Key, p => p.Value.shape, StringComparer.Ordinal);

    /// <summary>Describes how two key/shape sets differ (empty when they are equal).</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, long[]> expected, IReadOnlyDictionary<string, long[]> actual)
    {
        var problems = new List<string>();
        problems.AddRange(expected.Keys.Except(actual.Keys).Select(k => "missing " + k));
        problems.AddRange(actual.Keys.Except(expected.Keys).Select(k => "extra " + k));
        problems.AddRange(expected.Keys.Intersect(actual.Keys)
            .Where(k => !expected[k].SequenceEqual(actual[k]))
            .Select(k => $"{k}: expected [{string.Join(", ", expected[k])}], got [{string.Join(", ", actual[k])}]"));
        return problems;
    }
}
