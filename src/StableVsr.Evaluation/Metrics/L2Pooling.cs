using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>
/// DISTS' replacement for VGG's max-pools: <c>sqrt(conv(x², g) + 1e-12)</c> with the depthwise 3x3 filter
/// g = [1, 2, 1]ᵀ[1, 2, 1] / 16 (the inner taps of a 5-point Hanning window), stride 2, padding 1. The filter is a
/// constant, not a checkpoint entry.
/// </summary>
internal sealed class L2Pooling : nn.Module<Tensor, Tensor>
{
    private readonly Tensor filter;

    public L2Pooling(int channels)
        : base(nameof(L2Pooling))
    {
        using (var scope = NewDisposeScope())
        {
            var taps = tensor(new[] { 0.5f, 1f, 0.5f });
            var outer = taps.unsqueeze(1) * taps.unsqueeze(0);
            filter = (outer / outer.sum()).view(1, 1, 3, 3).repeat(channels, 1, 1, 1).DetachFromDisposeScope();
        }

        register_buffer(nameof(filter), filter, persistent: false);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pooled = nn.functional.conv2d(input.Power(2), filter, strides: [2, 2], padding: [1, 1], groups: input.shape[1]);
        return pooled.Plus(1e-12).sqrt().MoveToOuterDisposeScope();
    }
}
