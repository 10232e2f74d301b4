using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Models;

/// <summary>
/// One reference case of <c>fixtures/cases</c>: the inputs and expected outputs the Python original produced,
/// read by name with their stored shapes and dtypes. Compares results with the fixture README's tolerance.
/// </summary>
public sealed class ReferenceCase : IDisposable
{
    /// <summary>The README's tolerance for modules: max |diff| &lt;= 1e-4.</summary>
    public const double ModuleTolerance = 1e-4;

    private readonly SafetensorsFile file;

    private ReferenceCase(SafetensorsFile file) => this.file = file;

    /// <summary>The case's string metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata => file.Metadata;

    /// <summary>Opens <c>cases/{name}.safetensors</c>.</summary>
    public static ReferenceCase Open(string name) => new(SafetensorsFile.Open(Fixtures.Case(name + ".safetensors")));

    /// <summary>A tensor of the case, as stored, on the test device (<see cref="TestDevice"/>).</summary>
    public torch.Tensor Tensor(string key) => TestDevice.On(file.Load(key));

    /// <summary>The largest absolute difference between two tensors of the same shape.</summary>
    public static double MaxAbsDiff(torch.Tensor actual, torch.Tensor expected)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(expected);
        Assert.That(actual.shape, Is.EqualTo(expected.shape), "shape");
        using var scope = torch.NewDisposeScope();
        return (actual.cpu().to_type(torch.float64) - expected.cpu().to_type(torch.float64)).abs().max().item<double>();
    }

    /// <summary>Asserts the tensors agree within <see cref="ModuleTolerance"/> and prints the measured difference.</summary>
    public static void AssertClose(torch.Tensor actual, torch.Tensor expected, string what)
    {
        var diff = MaxAbsDiff(actual, expected);
        TestContext.Out.WriteLine($"{what}: max |diff| = {diff:E3}");
        Assert.That(diff, Is.LessThanOrEqualTo(ModuleTolerance), what);
    }

    /// <inheritdoc/>
    public void Dispose() => file.Dispose();
}
