using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Clip;

/// <summary>The stack of CLIP encoder layers, [B, L, hidden] in and out.</summary>
internal sealed class ClipEncoder : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ClipEncoderLayer> layers;

    /// <summary>Creates <see cref="ClipTextConfig.NumHiddenLayers"/> layers.</summary>
    public ClipEncoder(ClipTextConfig config)
        : base(nameof(ClipEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        layers = new ModuleList<ClipEncoderLayer>();
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            layers.Add(new ClipEncoderLayer(config));
        }

        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in layers)
        {
            x = layer.call(x);
        }

        return x.MoveToOuterDisposeScope();
    }
}
