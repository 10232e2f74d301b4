using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>
/// MUSIQ's one ResNet bottleneck after the root (64 to 256 channels): standardised 1x1, 3x3, 1x1 convolutions, each
/// followed by GroupNorm(32, eps 1e-4), ReLU after the first two and after the projected residual is added.
/// </summary>
internal sealed class MusiqBottleneck : nn.Module<Tensor, Tensor>
{
    private const double Epsilon = 1e-4;
    private const int Groups = 32;

    private readonly StdConv conv1;
    private readonly GroupNorm gn1;
    private readonly StdConv conv2;
    private readonly GroupNorm gn2;
    private readonly StdConv conv3;
    private readonly GroupNorm gn3;
    private readonly StdConv conv_proj;
    private readonly GroupNorm gn_proj;

    public MusiqBottleneck(int inputs, int outputs)
        : base(nameof(MusiqBottleneck))
    {
        conv1 = new StdConv(inputs, inputs, 1);
        gn1 = nn.GroupNorm(Groups, inputs, Epsilon);
        conv2 = new StdConv(inputs, inputs, 3);
        gn2 = nn.GroupNorm(Groups, inputs, Epsilon);
        conv3 = new StdConv(inputs, outputs, 1);
        gn3 = nn.GroupNorm(Groups, outputs, Epsilon);
        conv_proj = new StdConv(inputs, outputs, 1);
        gn_proj = nn.GroupNorm(Groups, outputs, Epsilon);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var identity = gn_proj.call(conv_proj.call(input));
        var x = nn.functional.relu(gn1.call(conv1.call(input)));
        x = nn.functional.relu(gn2.call(conv2.call(x)));
        x = gn3.call(conv3.call(x));
        return nn.functional.relu(x.Plus(identity)).MoveToOuterDisposeScope();
    }
}
