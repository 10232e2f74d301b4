using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Clip;

/// <summary>
/// transformers' <c>CLIPTextTransformer</c>: embeddings, causal encoder, final layer norm, and pooling at the
/// end-of-text position (the largest id for legacy configs whose <c>eos_token_id</c> is 2, else the first
/// <c>eos_token_id</c>), as transformers does.
/// </summary>
internal sealed class ClipTextTransformer : nn.Module<Tensor, ClipTextOutput>
{
    private readonly ClipTextEmbeddings embeddings;
    private readonly ClipEncoder encoder;
    private readonly LayerNorm final_layer_norm;
    private readonly ClipTextConfig config;

    /// <summary>Creates the transformer.</summary>
    public ClipTextTransformer(ClipTextConfig config)
        : base(nameof(ClipTextTransformer))
    {
        ArgumentNullException.ThrowIfNull(config);
        this.config = config;
        embeddings = new ClipTextEmbeddings(config);
        encoder = new ClipEncoder(config);
        final_layer_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override ClipTextOutput forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = final_layer_norm.call(encoder.call(embeddings.call(input)));
        var index = config.PoolsAtLargestId
            ? input.argmax(-1)
            : input.eq(ScalarCache.Of(config.EosTokenId)).to(int32).argmax(-1);
        var (b, e) = (hidden.shape[0], hidden.shape[2]);
        var pooled = hidden.gather(1, index.view(b, 1, 1).expand(b, 1, e)).squeeze(1);
        return new ClipTextOutput(hidden.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope(), index.MoveToOuterDisposeScope());
    }
}
