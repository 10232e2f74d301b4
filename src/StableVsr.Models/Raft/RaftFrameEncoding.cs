using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// What RAFT's two encoders make of a batch of frames before any pair is matched: the matching features and the
/// context split into the initial hidden state (tanh) and the context input (ReLU), each [B, C, H/8, W/8]. With
/// per-sample or running normalisation each frame's encoding depends on that frame alone, so a sequence encodes each
/// frame once and reuses it for the flows to both of its neighbours (<see cref="Raft.Encode"/>). Disposing it disposes
/// the tensors.
/// </summary>
internal sealed class RaftFrameEncoding : IDisposable
{
    /// <summary>Takes ownership of the three tensors.</summary>
    public RaftFrameEncoding(Tensor features, Tensor hidden, Tensor context)
    {
        Features = features;
        Hidden = hidden;
        Context = context;
    }

    /// <summary>The feature encoder's output, [B, 256, H/8, W/8] for RAFT-large.</summary>
    public Tensor Features { get; }

    /// <summary>The initial hidden state of the update block: tanh of the first context channels.</summary>
    public Tensor Hidden { get; }

    /// <summary>The context input of the update block: ReLU of the remaining context channels.</summary>
    public Tensor Context { get; }

    /// <summary>Frames encoded.</summary>
    public long BatchSize => Features.shape[0];

    /// <summary>The encodings of <paramref name="first"/> followed by those of <paramref name="second"/>, as one batch.</summary>
    public static RaftFrameEncoding Concat(RaftFrameEncoding first, RaftFrameEncoding second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return new RaftFrameEncoding(
            cat([first.Features, second.Features], 0),
            cat([first.Hidden, second.Hidden], 0),
            cat([first.Context, second.Context], 0));
    }

    /// <summary>Moves the tensors out of the current dispose scope, for a caller that keeps the encoding past it.</summary>
    public RaftFrameEncoding MoveToOuterDisposeScope()
    {
        Features.MoveToOuterDisposeScope();
        Hidden.MoveToOuterDisposeScope();
        Context.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Features.Dispose();
        Hidden.Dispose();
        Context.Dispose();
    }
}
