using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Clip;

/// <summary>CLIP's feed-forward block: fc1, the configured activation (<c>gelu</c> or <c>quick_gelu</c>), fc2.</summary>
internal sealed class ClipMlp : nn.Module<Tensor, Tensor>
{
    private const double QuickGeluScale = 1.702;

    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly bool quickGelu;

    /// <summary>Creates the block.</summary>
    /// <exception cref="UnsupportedConfigException">The activation is neither <c>gelu</c> nor <c>quick_gelu</c>.</exception>
    public ClipMlp(ClipTextConfig config)
        : base(nameof(ClipMlp))
    {
        ArgumentNullException.ThrowIfNull(config);
        quickGelu = config.HiddenAct switch
        {
            "gelu" => false,
            "quick_gelu" => true,
            _ => throw new UnsupportedConfigException("hidden_act", config.HiddenAct, detail: "Supported: gelu, quick_gelu."),
        };
        fc1 = nn.Linear(config.HiddenSize, config.IntermediateSize);
        fc2 = nn.Linear(config.IntermediateSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = fc1.call(input);
        x = quickGelu ? x * sigmoid(x.Times(QuickGeluScale)) : nn.functional.gelu(x);
        return fc2.call(x).MoveToOuterDisposeScope();
    }
}
