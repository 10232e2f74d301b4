using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>ResnetBlock2D</c> with <c>time_embedding_norm="default"</c>: norm, act, conv, plus the projected
/// time embedding, norm, act, conv, added to the (1x1-projected when the width changes) input and divided by
/// the output scale factor.
/// </summary>
internal sealed class ResnetBlock2D : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly Linear? time_emb_proj;
    private readonly GroupNorm norm2;
    private readonly Dropout dropout;
    private readonly Conv2d conv2;
    private readonly Conv2d? conv_shortcut;
    private readonly Func<Tensor, Tensor> nonlinearity;
    private readonly double outputScaleFactor;

    /// <summary>Creates the block from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public ResnetBlock2D(int inChannels, int outChannels, ResnetSettings settings)
        : base(nameof(ResnetBlock2D))
    {
        norm1 = nn.GroupNorm(settings.Groups, inChannels, settings.Eps);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        if (settings.TembChannels is int temb)
        {
            time_emb_proj = nn.Linear(temb, outChannels);
        }

        norm2 = nn.GroupNorm(settings.Groups, outChannels, settings.Eps);
        dropout = nn.Dropout(0.0);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1);
        if (inChannels != outChannels)
        {
            conv_shortcut = nn.Conv2d(inChannels, outChannels, 1);
        }

        nonlinearity = settings.Activation;
        outputScaleFactor = settings.OutputScaleFactor;
        RegisterComponents();
    }

    /// <summary>Applies the block; <paramref name="temb"/> is [B, temb channels], or null in blocks built without a time embedding.</summary>
    public override Tensor forward(Tensor input, Tensor? temb)
    {
        using var scope = NewDisposeScope();
        var hidden = conv1.forward(nonlinearity(norm1.forward(input)));
        if (time_emb_proj is not null && temb is not null)
        {
            var projected = time_emb_proj.forward(nonlinearity(temb));
            hidden = hidden.Plus(projected.unsqueeze(-1).unsqueeze(-1));
        }

        hidden = conv2.forward(dropout.forward(nonlinearity(norm2.forward(hidden))));
        var shortcut = conv_shortcut is null ? input : conv_shortcut.forward(input);
        var output = shortcut.Plus(hidden);
        if (outputScaleFactor != 1.0)
        {
            output = output.DividedBy(outputScaleFactor);
        }

        return output.MoveToOuterDisposeScope();
    }
}
