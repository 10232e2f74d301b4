using static TorchSharp.torch;

namespace StableVsr.Models.Clip;

/// <summary>What <see cref="ClipTextModel"/> returns. Disposing it disposes the tensors.</summary>
internal sealed class ClipTextOutput : IDisposable
{
    /// <summary>Wraps the outputs.</summary>
    public ClipTextOutput(Tensor lastHiddenState, Tensor poolerOutput, Tensor poolerIndex)
    {
        LastHiddenState = lastHiddenState;
        PoolerOutput = poolerOutput;
        PoolerIndex = poolerIndex;
    }

    /// <summary>The final layer norm's output, [B, L, hidden]: the <c>encoder_hidden_states</c> of a diffusion UNet.</summary>
    public Tensor LastHiddenState { get; }

    /// <summary>The hidden state at each sequence's end-of-text position, [B, hidden].</summary>
    public Tensor PoolerOutput { get; }

    /// <summary>The position pooled in each sequence, [B] int64.</summary>
    public Tensor PoolerIndex { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        LastHiddenState.Dispose();
        PoolerOutput.Dispose();
        PoolerIndex.Dispose();
    }
}
