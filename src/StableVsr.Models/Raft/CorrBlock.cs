using StableVsr.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// RAFT's all-pairs correlation: a pyramid of <c>levels</c> correlation volumes (each the previous one average-pooled
/// by 2 over the second image's positions) and the lookup of a (2r+1)x(2r+1) window around each current match.
/// It has no weights. Unlike torchvision's module it keeps no pyramid between calls: the caller holds it.
/// </summary>
internal sealed class CorrBlock
{
    /// <summary>Creates the block.</summary>
    public CorrBlock(int numLevels, int radius)
    {
        NumLevels = numLevels;
        Radius = radius;
    }

    /// <summary>Levels of the pyramid.</summary>
    public int NumLevels { get; }

    /// <summary>Lookup radius (infinity norm).</summary>
    public int Radius { get; }

    /// <summary>Channels of the looked-up features: levels * (2r+1)^2.</summary>
    public int OutChannels => NumLevels * (2 * Radius + 1) * (2 * Radius + 1);

    /// <summary>
    /// Builds the pyramid from two feature maps [B, C, h, w]: level 0 is [B*h*w, 1, h, w] holding, for each pixel of
    /// the first map, its dot products with every pixel of the second, divided by sqrt(C).
    /// </summary>
    /// <exception cref="InvalidInputException">The feature maps differ in shape.</exception>
    public Tensor[] BuildPyramid(Tensor fmap1, Tensor fmap2)
    {
        ArgumentNullException.ThrowIfNull(fmap1);
        ArgumentNullException.ThrowIfNull(fmap2);
        if (!fmap1.shape.SequenceEqual(fmap2.shape))
        {
            throw new InvalidInputException($"RAFT feature maps must have the same shape, got [{string.Join(", ", fmap1.shape)}] and [{string.Join(", ", fmap2.shape)}].");
        }

        using var scope = NewDisposeScope();
        var (b, c, h, w) = (fmap1.shape[0], fmap1.shape[1], fmap1.shape[2], fmap1.shape[3]);
        var corr = matmul(fmap1.view(b, c, h * w).transpose(1, 2), fmap2.view(b, c, h * w));
        var volume = corr.DividedBy(MathF.Sqrt(c)).reshape(b * h * w, 1, h, w);
        var pyramid = new Tensor[NumLevels];
        pyramid[0] = volume;
        for (var level = 1; level < NumLevels; level++)
        {
            pyramid[level] = nn.functional.avg_pool2d(pyramid[level - 1], kernel_size: 2, stride: 2);
        }

        foreach (var level in pyramid)
        {
            level.MoveToOuterDisposeScope();
        }

        return pyramid;
    }

    /// <summary>
    /// Looks up the pyramid around <paramref name="centroids"/> ([B, 2, h, w], absolute x/y pixel coordinates at
    /// level 0), halving them at each level. Returns [B, OutChannels, h, w].
    /// </summary>
    public Tensor IndexPyramid(IReadOnlyList<Tensor> pyramid, Tensor centroids)
    {
        ArgumentNullException.ThrowIfNull(pyramid);
        ArgumentNullException.ThrowIfNull(centroids);
        using var scope = NewDisposeScope();
        var side = 2 * Radius + 1;

        // torchvision stacks meshgrid(di, dj, "ij"), so the offset added to x varies along the first window axis
        // and the one added to y along the second; the channel order of the features depends on it.
        var d = linspace(-Radius, Radius, side, dtype: centroids.dtype, device: centroids.device);
        var grids = meshgrid([d, d], indexing: "ij");
        var delta = stack(grids, -1).view(1, side, side, 2);

        var (b, h, w) = (centroids.shape[0], centroids.shape[2], centroids.shape[3]);
        var coords = centroids.permute(0, 2, 3, 1).reshape(b * h * w, 1, 1, 2);
        var indexed = new List<Tensor>(pyramid.Count);
        foreach (var volume in pyramid)
        {
            var sampled = SampleAbsolute(volume, coords.Plus(delta));
            indexed.Add(sampled.view(b, h, w, -1));
            coords = coords.DividedBy(2);
        }

        return cat(indexed, -1).permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
    }

    // torchvision's optical_flow._utils.grid_sample: bilinear, zero padding, align_corners=True, with absolute
    // pixel coordinates normalised by (size - 1) in the same operation order.
    private static Tensor SampleAbsolute(Tensor image, Tensor absoluteGrid)
    {
        var (h, w) = (image.shape[^2], image.shape[^1]);
        var xy = absoluteGrid.split([1, 1], -1);
        var x = xy[0].Times(2).DividedBy(w - 1).Minus(1);
        var y = xy[1].Times(2).DividedBy(h - 1).Minus(1);
        return nn.functional.grid_sample(image, cat([x, y], -1), GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: true);
    }
}
