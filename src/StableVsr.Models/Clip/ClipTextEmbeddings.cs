using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Clip;

/// <summary>
/// Token plus learned absolute position embeddings: ids [B, L] to [B, L, hidden]. Positions are 0..L-1, so
/// transformers' <c>position_ids</c> buffer is not kept.
/// </summary>
internal sealed class ClipTextEmbeddings : nn.Module<Tensor, Tensor>
{
    private readonly Embedding token_embedding;
    private readonly Embedding position_embedding;

    /// <summary>Creates the embeddings.</summary>
    public ClipTextEmbeddings(ClipTextConfig config)
        : base(nameof(ClipTextEmbeddings))
    {
        ArgumentNullException.ThrowIfNull(config);
        token_embedding = nn.Embedding(config.VocabSize, config.HiddenSize);
        position_embedding = nn.Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var positions = TensorArithmetic.Arange(input.shape[1], dtype: int64, device: input.device).unsqueeze(0);
        return token_embedding.call(input).Plus(position_embedding.call(positions)).MoveToOuterDisposeScope();
    }
}
