using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>
/// LPIPS v0.1's learned heads for AlexNet: per layer a dropout (inactive in eval mode) and a bias-free 1x1 convolution
/// to one channel, named as in <c>lpips_alex.pth</c> (<c>lin0.model.1.weight</c> ... <c>lin4.model.1.weight</c>).
/// </summary>
internal sealed class LpipsHeads : nn.Module
{
    private readonly Sequential[] heads;

    public LpipsHeads(IReadOnlyList<int> channels)
        : base(nameof(LpipsHeads))
    {
        heads = channels.Select(c => nn.Sequential(("0", nn.Dropout()), ("1", nn.Conv2d(c, 1, 1, bias: false)))).ToArray();
        for (var i = 0; i < heads.Length; i++)
        {
            var layer = new HeadLayer(heads[i]);
            register_module($"lin{i}", layer);
        }
    }

    /// <summary>Applies head <paramref name="layer"/> to a squared feature difference [B, C, h, w]; returns [B, 1, h, w].</summary>
    public Tensor Apply(int layer, Tensor squaredDifference) => heads[layer].call(squaredDifference);

    /// <summary>NetLinLayer: holds the head as <c>model</c> so the keys read <c>lin{k}.model.1.weight</c>.</summary>
    private sealed class HeadLayer : nn.Module
    {
        public HeadLayer(Sequential model)
            : base(nameof(HeadLayer))
        {
            register_module("model", model);
        }
    }
}
