using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.ClipIqa;

/// <summary>
/// CLIP's modified ResNet (<c>visual.*</c>): a three-convolution stem with an average pool, four stages of
/// anti-aliased bottlenecks, the attention pool. Batch norms use their running statistics.
/// </summary>
internal sealed class ClipImageTower : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly ClipAttentionPool attnpool;

    public ClipImageTower(ClipIqaConfig config, int poolPositions)
        : base(nameof(ClipImageTower))
    {
        ArgumentNullException.ThrowIfNull(config);
        var width = config.VisionWidth;
        conv1 = nn.Conv2d(3, width / 2, 3, stride: 2, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(width / 2);
        conv2 = nn.Conv2d(width / 2, width / 2, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(width / 2);
        conv3 = nn.Conv2d(width / 2, width, 3, padding: 1, bias: false);
        bn3 = nn.BatchNorm2d(width);
        var inputs = width;
        Sequential Stage(int planes, int blocks, int stride)
        {
            var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (var b = 0; b < blocks; b++)
            {
                layers.Add((b.ToString(System.Globalization.CultureInfo.InvariantCulture), new ClipBottleneck(inputs, planes, b == 0 ? stride : 1)));
                inputs = planes * 4;
            }

            return nn.Sequential(layers);
        }

        layer1 = Stage(width, config.VisionLayers[0], 1);
        layer2 = Stage(width * 2, config.VisionLayers[1], 2);
        layer3 = Stage(width * 4, config.VisionLayers[2], 2);
        layer4 = Stage(width * 8, config.VisionLayers[3], 2);
        attnpool = new ClipAttentionPool(config.PoolWidth, config.PoolHeads, config.EmbedSize, poolPositions);
        RegisterComponents();
    }

    /// <summary>The image embedding [N, embed] of normalised images [N, 3, H, W].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return attnpool.call(Features(input)).MoveToOuterDisposeScope();
    }

    /// <summary>The last stage's output [N, 32 x width, H/32, W/32], which the attention pool reads.</summary>
    public Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(bn1.call(conv1.call(input)));
        x = nn.functional.relu(bn2.call(conv2.call(x)));
        x = nn.functional.relu(bn3.call(conv3.call(x)));
        x = nn.functional.avg_pool2d(x, 2, 2);
        x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>The attention pool alone, on <see cref="Features"/>.</summary>
    public Tensor Pool(Tensor features) => attnpool.call(features);
}
