using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// Makes low-resolution frames a size the models take: a multiple of <see cref="Multiple"/> on each side (the UNet and
/// the x4 VAE) and at least <see cref="MinimumSide"/> pixels (RAFT's 4-level correlation pyramid needs 128 px at 4x).
/// Frames are extended at the right and bottom by reflection, so content stays where it was and the upscaled result is
/// cropped back to exactly 4x the input, instead of being resized as the reference does.
/// </summary>
internal static class FramePadding
{
    /// <summary>Each side of a padded frame is a multiple of this.</summary>
    public const int Multiple = 4;

    /// <summary>Each side of a padded frame is at least this long.</summary>
    public const int MinimumSide = 32;

    /// <summary>The padded size of a side.</summary>
    public static int PaddedSide(int side)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        var padded = Math.Max(side, MinimumSide);
        return (padded + Multiple - 1) / Multiple * Multiple;
    }

    /// <summary>
    /// Pads images [N, C, H, W] at the right and bottom to the padded size by reflection. Reflection is applied in
    /// rounds when the padding exceeds what one reflection of the frame can give (tiny frames).
    /// </summary>
    public static Tensor Pad(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        var x = images.alias();
        var (targetH, targetW) = (PaddedSide((int)x.shape[2]), PaddedSide((int)x.shape[3]));
        while (x.shape[2] < targetH || x.shape[3] < targetW)
        {
            var (h, w) = (x.shape[2], x.shape[3]);
            var padH = Math.Min(targetH - h, Math.Max(h - 1, 0));
            var padW = Math.Min(targetW - w, Math.Max(w - 1, 0));
            // A side of one pixel has nothing to reflect: repeat it once, then reflection can take over.
            x = padH == 0 && h < targetH || padW == 0 && w < targetW
                ? nn.functional.pad(x, [0, w < targetW ? 1 : 0, 0, h < targetH ? 1 : 0], PaddingModes.Replicate)
                : nn.functional.pad(x, [0, padW, 0, padH], PaddingModes.Reflect);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Crops upscaled images [N, C, H, W] back to <paramref name="height"/> x <paramref name="width"/> from the top-left.</summary>
    public static Tensor Crop(Tensor images, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(images);
        return images[.., .., ..height, ..width].contiguous();
    }
}
