using System.Text.Json;
using StableVsr.Weights;
using TorchSharp;

namespace StableVsr.Tests.Evaluation.NoReference;

/// <summary>The keys, shapes and dtypes of a key manifest (<c>iqa/*.json</c>) as a tensor source without data.</summary>
internal sealed class ManifestSource(JsonElement keys, string location) : ITensorSource
{
    public string? Location => location;

    public IReadOnlyCollection<string> Keys => keys.EnumerateObject().Select(p => p.Name).ToArray();

    public static ManifestSource FullSize(string model) =>
        new(JsonDocument.Parse(File.ReadAllText(Support.Fixtures.Path("iqa", "full_size_manifests.json"))).RootElement.GetProperty(model).GetProperty("keys").Clone(), model);

    public bool Contains(string key) => keys.TryGetProperty(key, out _);

    public TensorInfo GetInfo(string key)
    {
        var entry = keys.GetProperty(key);
        var shape = entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var dtype = entry.GetProperty("dtype").GetString() == "int64" ? TensorDType.I64 : TensorDType.F32;
        return new TensorInfo(key, dtype, shape, shape.Aggregate(1L, (a, b) => a * b) * dtype.ElementSize());
    }

    public torch.Tensor Load(string key, torch.ScalarType? dtype = null, torch.Device? device = null) =>
        throw new NotSupportedException("A manifest holds shapes, not values.");

    public void Dispose()
    {
    }
}
