using TorchSharp;

namespace StableVsr.Tests.Support;

/// <summary>Compares tensors with a max-abs-difference tolerance and prints the measured difference.</summary>
public static class TensorAssert
{
    /// <summary>Asserts equal shapes and max |actual - expected| within <paramref name="tolerance"/>; returns the difference.</summary>
    public static double Close(torch.Tensor actual, torch.Tensor expected, double tolerance, string what)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), $"{what}: shape");
        using var diff = (actual.cpu().to(torch.float64) - expected.cpu().to(torch.float64)).abs().max();
        var max = diff.item<double>();
        TestContext.Out.WriteLine($"{what}: max |diff| = {max:E3} (tolerance {tolerance:E1})");
        Assert.That(max, Is.LessThanOrEqualTo(tolerance), $"{what}: max |diff|");
        return max;
    }
}
