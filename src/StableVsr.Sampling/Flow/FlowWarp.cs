using StableVsr.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StableVsr.Sampling.Flow;

/// <summary>
/// StableVSR's <c>flow_warp</c> (<c>util/flow_utils.py</c>): samples an image at each pixel's position plus its
/// optical-flow displacement. The sampling grid is normalised by (W − 1) and (H − 1) while
/// <c>grid_sample</c> runs with <c>align_corners</c> false, exactly as the reference does. That pair stretches the
/// sampling positions by W / (W − 1): with zero flow the first column samples half a pixel left of the image and
/// the last half a pixel right of it. StableVSR's ControlNet was trained on this warp, so it is kept.
/// </summary>
internal static class FlowWarp
{
    /// <summary>Warps <paramref name="image"/> by <paramref name="flow"/>.</summary>
    /// <param name="image">[N, C, H, W] floating-point image or feature map.</param>
    /// <param name="flow">[N, H, W, 2] displacement in pixels, x (width) first, as StableVSR's <c>get_flow</c> permutes RAFT's output.</param>
    /// <param name="mode">Interpolation: bilinear (StableVSR's choice) or nearest (bicubic is also accepted).</param>
    /// <param name="paddingMode">What lies outside the image: zeros (StableVSR's choice), border or reflection.</param>
    /// <returns>The warped image, [N, C, H, W], in <paramref name="image"/>'s dtype and on its device.</returns>
    /// <exception cref="InvalidInputException">The shapes, dtypes or devices do not fit together.</exception>
    public static Tensor Warp(
        Tensor image,
        Tensor flow,
        GridSampleMode mode = GridSampleMode.Bilinear,
        GridSamplePaddingMode paddingMode = GridSamplePaddingMode.Zeros)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(flow);
        Validate(image, flow);

        using var scope = NewDisposeScope();
        var height = image.shape[2];
        var width = image.shape[3];

        // The reference builds the grid in int64, then converts it (and so the sum with the flow) to the image's dtype.
        var grids = meshgrid([TensorArithmetic.Arange(height, device: image.device), TensorArithmetic.Arange(width, device: image.device)], indexing: "ij");
        var grid = stack([grids[1], grids[0]], 2).to(image.dtype);
        var shifted = grid.Plus(flow.to(image.dtype));
        var gridX = shifted.select(3, 0).Times(2.0).DividedBy(Math.Max(width - 1, 1)).Minus(1.0);
        var gridY = shifted.select(3, 1).Times(2.0).DividedBy(Math.Max(height - 1, 1)).Minus(1.0);
        var normalised = stack([gridX, gridY], 3);
        var warped = F.grid_sample(image, normalised, mode, paddingMode, align_corners: false);
        return warped.MoveToOuterDisposeScope();
    }

    private static void Validate(Tensor image, Tensor flow)
    {
        if (image.dim() != 4)
        {
            throw new InvalidInputException($"flow warp: the image must be [N, C, H, W]; got a tensor of shape [{string.Join(", ", image.shape)}].");
        }

        if (flow.dim() != 4 || flow.shape[3] != 2)
        {
            throw new InvalidInputException(
                $"flow warp: the flow must be [N, H, W, 2] (x and y displacement last); got shape [{string.Join(", ", flow.shape)}]. " +
                "RAFT returns [N, 2, H, W]: permute it to (0, 2, 3, 1) first.");
        }

        if (flow.shape[0] != image.shape[0] || flow.shape[1] != image.shape[2] || flow.shape[2] != image.shape[3])
        {
            throw new InvalidInputException(
                $"flow warp: the flow [{string.Join(", ", flow.shape)}] must match the image [{string.Join(", ", image.shape)}] " +
                $"in batch and size, i.e. be [{image.shape[0]}, {image.shape[2]}, {image.shape[3]}, 2].");
        }

        if (!is_floating_point(image) || !is_floating_point(flow))
        {
            throw new InvalidInputException($"flow warp: image and flow must be floating-point tensors; got {image.dtype} and {flow.dtype}.");
        }

        if (image.device_type != flow.device_type || image.device_index != flow.device_index)
        {
            throw new InvalidInputException($"flow warp: image and flow must be on the same device; got {image.device} and {flow.device}.");
        }
    }
}
