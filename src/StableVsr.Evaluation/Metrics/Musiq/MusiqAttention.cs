using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>
/// MUSIQ's multi-head self-attention with query/key/value/out projections (all with biases). Pairs involving a
/// padding token get the logit -1000 (not -inf) before the softmax, as the original implementation.
/// </summary>
internal sealed class MusiqAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private const double MaskedLogit = -1e3;

    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Linear @out;
    private readonly int heads;
    private readonly double scale;

    public MusiqAttention(int hidden, int heads)
        : base(nameof(MusiqAttention))
    {
        this.heads = heads;
        scale = Math.Pow(hidden / heads, -0.5);
        query = nn.Linear(hidden, hidden);
        key = nn.Linear(hidden, hidden);
        value = nn.Linear(hidden, hidden);
        @out = nn.Linear(hidden, hidden);
        RegisterComponents();
    }

    /// <summary>Attends over tokens [B, N, C]; <paramref name="mask"/> [B, N] is true for real tokens.</summary>
    public override Tensor forward(Tensor input, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var (batch, tokens, channels) = (input.shape[0], input.shape[1], input.shape[2]);
        Tensor Heads(Tensor t) => t.reshape(batch, tokens, heads, channels / heads).permute(0, 2, 1, 3);
        var q = Heads(query.call(input));
        var k = Heads(key.call(input));
        var v = Heads(value.call(input));
        var logits = q.matmul(k.transpose(-2, -1)).Times(scale);
        var pairs = mask.view(batch, 1, tokens, 1).logical_and(mask.view(batch, 1, 1, tokens));
        logits = logits.masked_fill(pairs.logical_not(), ScalarCache.Of(MaskedLogit));
        var mixed = logits.softmax(-1).matmul(v).transpose(1, 2).reshape(batch, tokens, channels);
        return @out.call(mixed).MoveToOuterDisposeScope();
    }
}
