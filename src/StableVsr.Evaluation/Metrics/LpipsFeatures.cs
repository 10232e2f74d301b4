using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>The five unit-normalised AlexNet feature maps of a batch of images, owned until disposed.</summary>
internal sealed class LpipsFeatures : IDisposable
{
    private readonly Tensor[] layers;

    public LpipsFeatures(Tensor[] layers) => this.layers = layers;

    /// <summary>The images in the batch.</summary>
    public long Count => layers[0].shape[0];

    /// <summary>Views of images <paramref name="start"/> .. start + count - 1 of every layer (valid while this object lives).</summary>
    public IReadOnlyList<Tensor> Take(long start, long count) => layers.Select(l => l.narrow(0, start, count)).ToArray();

    /// <summary>Copies of images <paramref name="start"/> .. start + count - 1, owned by the caller.</summary>
    public LpipsFeatures Slice(long start, long count) => new(layers.Select(l => l.narrow(0, start, count).clone()).ToArray());

    /// <summary>Features of this batch followed by those of <paramref name="next"/>, as a new object.</summary>
    public LpipsFeatures Concat(LpipsFeatures next) => new(layers.Zip(next.layers, (a, b) => cat([a, b])).ToArray());

    /// <summary>Takes the tensors out of the current dispose scope, so they live until <see cref="Dispose"/>.</summary>
    public LpipsFeatures DetachFromDisposeScope()
    {
        foreach (var layer in layers)
        {
            layer.DetachFromDisposeScope();
        }

        return this;
    }

    public void Dispose()
    {
        foreach (var layer in layers)
        {
            layer.Dispose();
        }
    }
}
