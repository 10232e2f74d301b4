using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Clip;

/// <summary>One pre-LN transformer layer of CLIP: x + attn(ln1(x)), then x + mlp(ln2(x)).</summary>
internal sealed class ClipEncoderLayer : nn.Module<Tensor, Tensor>
{
    private readonly ClipAttention self_attn;
    private readonly LayerNorm layer_norm1;
    private readonly ClipMlp mlp;
    private readonly LayerNorm layer_norm2;

    /// <summary>Creates the layer.</summary>
    public ClipEncoderLayer(ClipTextConfig config)
        : base(nameof(ClipEncoderLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        self_attn = new ClipAttention(config);
        layer_norm1 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        mlp = new ClipMlp(config);
        layer_norm2 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.Plus(self_attn.call(layer_norm1.call(input)));
        x = x.Plus(mlp.call(layer_norm2.call(x)));
        return x.MoveToOuterDisposeScope();
    }
}
