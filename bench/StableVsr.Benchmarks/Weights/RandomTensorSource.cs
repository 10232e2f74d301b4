using StableVsr.Weights;
using TorchSharp;

namespace StableVsr.Benchmarks.Weights;

/// <summary>Float32 tensors of the given shapes filled with seeded random values, made one at a time on request.</summary>
internal sealed class RandomTensorSource(IReadOnlyList<KeyValuePair<string, long[]>> entries) : ITensorSource
{
    private readonly Dictionary<string, long[]> shapes = entries.ToDictionary(e => e.Key, e => e.Value);

    public IReadOnlyCollection<string> Keys { get; } = entries.Select(e => e.Key).ToArray();

    public bool Contains(string key) => shapes.ContainsKey(key);

    public TensorInfo GetInfo(string key) =>
        new(key, TensorDType.F32, shapes[key], shapes[key].Aggregate(1L, (a, b) => a * b) * 4);

    public torch.Tensor Load(string key, torch.ScalarType? dtype = null, torch.Device? device = null)
    {
        var generator = new torch.Generator((ulong)key.GetHashCode(StringComparison.Ordinal) & 0xFFFFFFFF);
        return torch.randn(shapes[key], generator: generator).to(dtype ?? torch.float32, device ?? torch.CPU, disposeAfter: true);
    }

    public void Dispose()
    {
    }
}
