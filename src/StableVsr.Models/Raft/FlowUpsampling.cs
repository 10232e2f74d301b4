using StableVsr.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>The coordinate grid and the convex upsampling of torchvision's <c>optical_flow._utils</c>.</summary>
internal static class FlowUpsampling
{
    /// <summary>A [B, 2, h, w] grid of <paramref name="dtype"/> whose channel 0 is the column (x) and channel 1 the row (y) of each pixel.</summary>
    public static Tensor CoordsGrid(long batch, long h, long w, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var grids = meshgrid([TensorArithmetic.Arange(h, device: device), TensorArithmetic.Arange(w, device: device)], indexing: "ij");
        var coords = stack([grids[1], grids[0]], 0).to(dtype);
        return coords.unsqueeze(0).repeat(batch, 1, 1, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Upsamples a 1/8-resolution flow [B, 2, h, w] by 8 as a convex combination of each pixel's 3x3 neighbourhood
    /// (flow scaled by 8), with weights softmax(<paramref name="mask"/>) of shape [B, 8*8*9, h, w].
    /// </summary>
    public static Tensor ConvexUpsample(Tensor flow, Tensor mask)
    {
        using var scope = NewDisposeScope();
        const int f = RaftConfig.DownsampleFactor;
        var (b, h, w) = (flow.shape[0], flow.shape[2], flow.shape[3]);
        var weights = softmax(mask.view(b, 1, 9, f, f, h, w), 2);
        var neighbours = nn.functional.unfold(flow.Times(f), 3, padding: 1).view(b, 2, 9, 1, 1, h, w);
        var up = sum(weights * neighbours, 2);
        return up.permute(0, 1, 4, 2, 5, 3).reshape(b, 2, h * f, w * f).MoveToOuterDisposeScope();
    }
}
