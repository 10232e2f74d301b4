using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>
/// MUSIQ's multi-scale patch sequence of one image: for each longer side L (224, 384) the image resized keeping its
/// aspect ratio (sizes rounded half to even; PyTorch bicubic, A = -0.75, no antialiasing), then the image itself; each
/// cut into 32-px patches after TensorFlow 'SAME' zero padding, in row-major order, with hashed grid positions. The
/// resized scales are padded to ceil(L/32)^2 patches (masked); the original keeps all of its patches, so the length
/// is data dependent.
/// </summary>
internal static class MusiqPatches
{
    /// <summary>Patches [S, 3, 32, 32], positions [S], scale ids [S] (int64) and mask [S] (bool) of [1, 3, H, W] in [-1, 1].</summary>
    public static (Tensor Patches, Tensor Positions, Tensor ScaleIds, Tensor Mask) Extract(Tensor image, MusiqConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var scope = NewDisposeScope();
        var (height, width) = (image.shape[2], image.shape[3]);
        var patches = new List<Tensor>();
        var positions = new List<long>();
        var scaleIds = new List<long>();
        var mask = new List<bool>();
        for (var s = 0; s < config.Scales.Count; s++)
        {
            var longer = config.Scales[s];
            var ratio = (double)longer / Math.Max(height, width);
            var rows = (long)Math.Round(height * ratio, MidpointRounding.ToEven);
            var columns = (long)Math.Round(width * ratio, MidpointRounding.ToEven);
            var resized = nn.functional.interpolate(image, [rows, columns], mode: InterpolationMode.Bicubic, align_corners: false);
            var length = (long)Math.Pow(Math.Ceiling((double)longer / MusiqConfig.PatchSize), 2);
            Add(resized, s, length, config, patches, positions, scaleIds, mask);
        }

        Add(image, config.Scales.Count, null, config, patches, positions, scaleIds, mask);
        return (
            cat(patches).MoveToOuterDisposeScope(),
            tensor(positions.ToArray(), int64, image.device).MoveToOuterDisposeScope(),
            tensor(scaleIds.ToArray(), int64, image.device).MoveToOuterDisposeScope(),
            tensor(mask.ToArray(), @bool, image.device).MoveToOuterDisposeScope());
    }

    /// <summary>Row r of c rows on a grid of <paramref name="grid"/>: floor(r * grid / c), nearest-neighbour resampling of the grid.</summary>
    public static long GridIndex(long index, long count, int grid) => index * grid / count;

    private static void Add(Tensor image, int scaleId, long? length, MusiqConfig config, List<Tensor> patches, List<long> positions, List<long> scaleIds, List<bool> mask)
    {
        const int p = MusiqConfig.PatchSize;
        var padded = TfSamePadding.Pad(image, p, p);
        var (rows, columns) = (padded.shape[2] / p, padded.shape[3] / p);
        var cut = padded[0].view(3, rows, p, columns, p).permute(1, 3, 0, 2, 4).reshape(rows * columns, 3, p, p);
        patches.Add(cut);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                positions.Add((GridIndex(r, rows, config.GridSize) * config.GridSize) + GridIndex(c, columns, config.GridSize));
                scaleIds.Add(scaleId);
                mask.Add(true);
            }
        }

        var real = rows * columns;
        if (length is { } total)
        {
            if (real > total)
            {
                throw new InvalidOperationException($"MUSIQ scale {scaleId} has {real} patches, more than its {total}; the resize is wrong.");
            }

            if (total > real)
            {
                patches.Add(zeros([total - real, 3, p, p], image.dtype, image.device));
                for (var i = real; i < total; i++)
                {
                    positions.Add(0);
                    scaleIds.Add(0);
                    mask.Add(false);
                }
            }
        }
    }
}
