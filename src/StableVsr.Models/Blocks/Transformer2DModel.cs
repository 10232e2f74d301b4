using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>Transformer2DModel</c> for continuous (image) input: group norm, projection in (linear on tokens
/// or 1x1 convolution on the map, per <c>use_linear_projection</c>), the transformer blocks, projection out,
/// plus the input.
/// </summary>
internal sealed class Transformer2DModel : nn.Module<Tensor, Tensor, Tensor>
{
    private const double NormEps = 1e-6;

    private readonly GroupNorm norm;
    private readonly nn.Module<Tensor, Tensor> proj_in;
    private readonly ModuleList<BasicTransformerBlock> transformer_blocks;
    private readonly nn.Module<Tensor, Tensor> proj_out;
    private readonly bool useLinearProjection;

    /// <summary>Creates the model over <paramref name="inChannels"/> channels split into the heads of <paramref name="settings"/>.</summary>
    public Transformer2DModel(int inChannels, int groups, CrossAttentionSettings settings)
        : base(nameof(Transformer2DModel))
    {
        ArgumentNullException.ThrowIfNull(settings);
        var headDim = inChannels / settings.Heads;
        var innerDim = settings.Heads * headDim;
        norm = nn.GroupNorm(groups, inChannels, NormEps);
        useLinearProjection = settings.UseLinearProjection;
        proj_in = useLinearProjection ? nn.Linear(inChannels, innerDim) : nn.Conv2d(inChannels, innerDim, 1);
        transformer_blocks = nn.ModuleList(Enumerable.Range(0, settings.TransformerLayers)
            .Select(_ => new BasicTransformerBlock(innerDim, settings.Heads, headDim, settings.CrossAttentionDim, settings.OnlyCrossAttention, settings.UpcastAttention))
            .ToArray());
        proj_out = useLinearProjection ? nn.Linear(innerDim, inChannels) : nn.Conv2d(innerDim, inChannels, 1);
        RegisterComponents();
    }

    /// <summary>Transforms the map [B, C, H, W] conditioned on encoder states [B, M, cross dim].</summary>
    public override Tensor forward(Tensor hiddenStates, Tensor encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var shape = hiddenStates.shape;
        long batch = shape[0], height = shape[2], width = shape[3];
        var hidden = norm.forward(hiddenStates);
        long innerDim;
        if (useLinearProjection)
        {
            innerDim = hidden.shape[1];
            hidden = proj_in.forward(hidden.permute(0, 2, 3, 1).reshape(batch, height * width, innerDim));
        }
        else
        {
            hidden = proj_in.forward(hidden);
            innerDim = hidden.shape[1];
            hidden = hidden.permute(0, 2, 3, 1).reshape(batch, height * width, innerDim);
        }

        foreach (var block in transformer_blocks)
        {
            hidden = block.forward(hidden, encoderHiddenStates);
        }

        if (useLinearProjection)
        {
            hidden = proj_out.forward(hidden).reshape(batch, height, width, innerDim).permute(0, 3, 1, 2).contiguous();
        }
        else
        {
            hidden = proj_out.forward(hidden.reshape(batch, height, width, innerDim).permute(0, 3, 1, 2).contiguous());
        }

        return hidden.Plus(hiddenStates).MoveToOuterDisposeScope();
    }
}
