using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>
/// A learned embedding table looked up by id and added to the tokens: the hash-based spatial positions
/// (<c>position_emb</c> [1, G*G, C]) or the scales (<c>scale_emb</c> [scales, C]); the parameter name is the checkpoint's.
/// </summary>
internal sealed class MusiqEmbedding : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter table;

    public MusiqEmbedding(string name, params long[] shape)
        : base(nameof(MusiqEmbedding))
    {
        table = new Parameter(empty(shape));
        register_parameter(name, table);
    }

    /// <summary>Adds the rows of <paramref name="ids"/> [B, N] (int64) to <paramref name="tokens"/> [B, N, C].</summary>
    public override Tensor forward(Tensor tokens, Tensor ids)
    {
        using var scope = NewDisposeScope();
        var rows = table.view(-1, table.shape[^1]);
        var gathered = rows.index_select(0, ids.flatten()).view(ids.shape[0], ids.shape[1], -1);
        return tokens.Plus(gathered).MoveToOuterDisposeScope();
    }
}
