using static TorchSharp.torch;

namespace StableVsr.Training.Steps;

/// <summary>
/// The tensors of one training step under the names the parity fixture records them with (train.py's variable names),
/// kept only when asked for. Owns its tensors.
/// </summary>
internal sealed class TrainingStepIntermediates : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors = new(StringComparer.Ordinal);

    /// <summary>The recorded tensors by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => tensors;

    /// <summary>A recorded tensor.</summary>
    public Tensor this[string name] => tensors[name];

    /// <summary>Keeps a detached copy of <paramref name="value"/> under <paramref name="name"/>.</summary>
    public void Record(string name, Tensor value)
    {
        using var noGrad = no_grad();
        tensors[name] = value.detach().clone().DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var value in tensors.Values)
        {
            value.Dispose();
        }

        tensors.Clear();
    }
}
