using System.Globalization;
using System.Text.Json;
using TorchSharp;

namespace StableVsr.Tests.Models;

/// <summary>
/// A full-size model's <c>manifest.json</c> (every state-dict key with its shape) and the comparison of a module's
/// parameters against it. Modules are built on the meta device, so no weights are allocated.
/// </summary>
public static class KeyManifest
{
    /// <summary>Reads a manifest: key to shape.</summary>
    public static IReadOnlyDictionary<string, long[]> Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        // The text encoder's manifest nests the keys under "tensors" beside its counts; the others are flat.
        var tensors = doc.RootElement.TryGetProperty("tensors", out var nested) ? nested : doc.RootElement;
        return tensors.EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Value.EnumerateArray().Select(d => d.GetInt64()).ToArray(),
            StringComparer.Ordinal);
    }

    /// <summary>Builds a module with every tensor on the meta device (shapes only, no memory).</summary>
    public static T BuildOnMeta<T>(Func<T> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var previous = torch.get_default_device();
        torch.set_default_device(torch.META);
        try
        {
            return build();
        }
        finally
        {
            torch.set_default_device(previous);
        }
    }

    /// <summary>Asserts the module's state dict has exactly the manifest's keys and shapes.</summary>
    public static void AssertMatches(torch.nn.Module module, string manifestPath) =>
        AssertMatches(module, Read(manifestPath), Path.GetFileName(Path.GetDirectoryName(manifestPath))!);

    public static void AssertMatches(torch.nn.Module module, IReadOnlyDictionary<string, long[]> expected, string label)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(expected);
        var actual = module.state_dict().ToDictionary(p => p.Key, p => p.Value.shape, StringComparer.Ordinal);
        var missing = expected.Keys.Except(actual.Keys).Order(StringComparer.Ordinal).ToArray();
        var extra = actual.Keys.Except(expected.Keys).Order(StringComparer.Ordinal).ToArray();
        var wrongShape = expected.Keys.Intersect(actual.Keys)
            .Where(k => !expected[k].SequenceEqual(actual[k]))
            .Select(k => $"{k}: expected {Format(expected[k])}, got {Format(actual[k])}")
            .ToArray();
        TestContext.Out.WriteLine($"{label}: {actual.Count} tensors, {expected.Count} in the manifest, {actual.Values.Sum(s => s.Aggregate(1L, (a, b) => a * b)):N0} parameters");
        Assert.Multiple(() =>
        {
            Assert.That(missing, Is.Empty, "keys in the checkpoint that the module lacks");
            Assert.That(extra, Is.Empty, "keys of the module that the checkpoint lacks");
            Assert.That(wrongShape, Is.Empty, "keys whose shapes differ");
        });
    }

    private static string Format(long[] shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
