using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.ClipIqa;

/// <summary>
/// CLIP's anti-aliased ResNet bottleneck: 1x1, 3x3, then an average pool when the stride is 2, 1x1 to 4x the width;
/// the shortcut, when the shape changes, is average pool, 1x1 convolution and batch norm (<c>downsample.0</c>, <c>.1</c>).
/// </summary>
internal sealed class ClipBottleneck : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;
    private readonly int stride;

    public ClipBottleneck(int inputs, int width, int stride)
        : base(nameof(ClipBottleneck))
    {
        this.stride = stride;
        conv1 = nn.Conv2d(inputs, width, 1, bias: false);
        bn1 = nn.BatchNorm2d(width);
        conv2 = nn.Conv2d(width, width, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(width);
        conv3 = nn.Conv2d(width, width * 4, 1, bias: false);
        bn3 = nn.BatchNorm2d(width * 4);
        if (stride > 1 || inputs != width * 4)
        {
            downsample = nn.Sequential(("0", nn.Conv2d(inputs, width * 4, 1, bias: false)), ("1", nn.BatchNorm2d(width * 4)));
        }

        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(bn1.call(conv1.call(input)));
        x = nn.functional.relu(bn2.call(conv2.call(x)));
        x = bn3.call(conv3.call(Pool(x)));
        var identity = downsample is null ? input : downsample.call(Pool(input));
        return nn.functional.relu(x.Plus(identity)).MoveToOuterDisposeScope();
    }

    private Tensor Pool(Tensor x) => stride > 1 ? nn.functional.avg_pool2d(x, stride, stride) : x;
}
