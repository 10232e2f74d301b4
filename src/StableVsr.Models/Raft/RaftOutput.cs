using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// The flow predictions of one <see cref="Raft"/> call, each [B, 2, H, W] in pixels (channel 0 = x, 1 = y).
/// Disposing it disposes the tensors.
/// </summary>
public sealed class RaftOutput : IDisposable
{
    /// <summary>Wraps the predictions, oldest first.</summary>
    public RaftOutput(IReadOnlyList<Tensor> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        if (predictions.Count == 0)
        {
            throw new ArgumentException("RAFT returns at least one flow prediction.", nameof(predictions));
        }

        Predictions = predictions;
    }

    /// <summary>
    /// The upsampled flow after each update, oldest first, when <see cref="RaftInput.KeepAllPredictions"/> was set;
    /// otherwise only the final flow.
    /// </summary>
    public IReadOnlyList<Tensor> Predictions { get; }

    /// <summary>The final flow, after the last update.</summary>
    public Tensor Flow => Predictions[^1];

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var p in Predictions)
        {
            p.Dispose();
        }
    }
}
