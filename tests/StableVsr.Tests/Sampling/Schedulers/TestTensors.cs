using StableVsr.Tensors;
using TorchSharp;

namespace StableVsr.Tests.Sampling.Schedulers;

/// <summary>Seeded random tensors and float64 views for the scheduler unit tests.</summary>
internal static class TestTensors
{
    /// <summary>Standard normal values from a private generator (no global RNG state is touched).</summary>
    public static torch.Tensor Normal(ulong seed, params long[] shape)
    {
        using var generator = new torch.Generator(seed);
        return torch.randn(shape, generator: generator);
    }

    /// <summary>Uniform values in [low, high) from a private generator.</summary>
    public static torch.Tensor Uniform(ulong seed, double low, double high, params long[] shape)
    {
        using var generator = new torch.Generator(seed);
        using var unit = torch.rand(shape, generator: generator);
        using var range = (high - low).ToScalar();
        using var offset = low.ToScalar();
        return unit.mul(range).add_(offset, ScalarCache.Of(1));
    }

    /// <summary>The values as doubles, in row-major order.</summary>
    public static double[] Values(torch.Tensor tensor)
    {
        using var asDouble = tensor.to(torch.ScalarType.Float64).contiguous();
        return asDouble.data<double>().ToArray();
    }

    /// <summary>max |actual − expected| over all elements.</summary>
    public static double MaxAbsDiff(torch.Tensor actual, double[] expected)
    {
        var values = Values(actual);
        Assert.That(values, Has.Length.EqualTo(expected.Length));
        return values.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
    }
}
