using TorchSharp;

namespace StableVsr.Weights;

/// <summary>
/// A set of named tensors that can be read one at a time (a safetensors file, a PyTorch checkpoint, a sharded
/// checkpoint). Implementations read lazily: nothing is materialised until <see cref="Load"/> or
/// <see cref="ReadInto"/> asks for a tensor. Not thread-safe unless the implementation says so.
/// </summary>
internal interface ITensorSource : IDisposable
{
    /// <summary>The file or folder the tensors come from, named in messages; null for tensors held in memory.</summary>
    string? Location => null;

    /// <summary>Every tensor key.</summary>
    IReadOnlyCollection<string> Keys { get; }

    /// <summary>Whether a tensor named <paramref name="key"/> exists.</summary>
    bool Contains(string key);

    /// <summary>The dtype, shape and size of a tensor, read without materialising it.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that key.</exception>
    TensorInfo GetInfo(string key);

    /// <summary>
    /// Materialises a tensor as a fresh tensor the caller owns (and must dispose), converted to
    /// <paramref name="dtype"/> and moved to <paramref name="device"/> when given (CPU and the stored dtype otherwise).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor has that key.</exception>
    /// <exception cref="ModelLoadException">The data cannot be read.</exception>
    torch.Tensor Load(string key, torch.ScalarType? dtype = null, torch.Device? device = null);

    /// <summary>
    /// Copies a tensor's stored bytes straight into <paramref name="destination"/> (same shape) when the source can:
    /// a contiguous CPU destination of the stored dtype, read without a second copy of the weights. Returns false when
    /// it cannot, and <see cref="ReadInto"/> converts instead.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor has that key.</exception>
    /// <exception cref="ModelLoadException">The data cannot be read.</exception>
    bool TryFillDirectly(string key, torch.Tensor destination) => false;

    /// <summary>
    /// Copies a tensor's values into <paramref name="destination"/>, which must have the same shape (any dtype and
    /// device: values are converted). Read straight into a contiguous CPU destination of the stored dtype where the
    /// source can (<see cref="TryFillDirectly"/>), so loading a model needs no second copy of its weights. The caller
    /// handles autograd (e.g. <c>torch.no_grad()</c>).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor has that key.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    void ReadInto(string key, torch.Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var info = GetInfo(key);
        if (!info.Shape.SequenceEqual(destination.shape))
        {
            throw new ArgumentException($"Tensor '{key}' has shape {info.ShapeText}, the destination [{string.Join(", ", destination.shape)}].", nameof(destination));
        }

        if (TryFillDirectly(key, destination))
        {
            return;
        }

        using var loaded = Load(key, destination.dtype, destination.device);
        destination.copy_(loaded);
    }
}
