using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using StableVsr.IO;

namespace StableVsr.Evaluation.Reporting;

/// <summary>
/// Side-by-side crops of a frame: ground truth, output, and their absolute difference (amplified 4x), taken where the
/// two differ most (the square window with the largest summed difference), so the worst artefacts are what is shown.
/// </summary>
internal static class FrameCrops
{
    private const int DifferenceGain = 4;

    /// <summary>The three crops as PNG bytes and the window's top-left corner and size; null without the frame files.</summary>
    public static (byte[] GroundTruth, byte[] Output, byte[] Difference, int X, int Y, int Size)? Render(FrameMetrics frame, int cropSize)
    {
        if (frame.GroundTruthPath is null || frame.OutputPath is null || !File.Exists(frame.GroundTruthPath) || !File.Exists(frame.OutputPath))
        {
            return null;
        }

        var gt = ImageFolderSource.ReadFrame(frame.GroundTruthPath);
        var rec = ImageFolderSource.ReadFrame(frame.OutputPath);
        if (gt.Width != rec.Width || gt.Height != rec.Height)
        {
            return null;
        }

        var size = Math.Min(cropSize, Math.Min(gt.Width, gt.Height));
        var difference = Difference(gt.Rgb.Span, rec.Rgb.Span);
        var (x, y) = WorstWindow(difference, gt.Width, gt.Height, size);
        return (Png(gt.Rgb.Span, gt.Width, x, y, size, v => v), Png(rec.Rgb.Span, gt.Width, x, y, size, v => v), Png(difference, gt.Width, x, y, size, v => (byte)Math.Min(255, v * DifferenceGain)), x, y, size);
    }

    private static byte[] Difference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var result = new byte[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            result[i] = (byte)Math.Abs(a[i] - b[i]);
        }

        return result;
    }

    private static (int X, int Y) WorstWindow(byte[] difference, int width, int height, int size)
    {
        // Summed-area table of the per-pixel difference (all channels), so every window costs four lookups.
        var table = new long[(width + 1) * (height + 1)];
        for (var y = 0; y < height; y++)
        {
            long row = 0;
            for (var x = 0; x < width; x++)
            {
                var at = ((y * width) + x) * 3;
                row += difference[at] + difference[at + 1] + difference[at + 2];
                table[((y + 1) * (width + 1)) + x + 1] = table[(y * (width + 1)) + x + 1] + row;
            }
        }

        var step = Math.Max(1, size / 8);
        var best = (X: 0, Y: 0, Sum: -1L);
        for (var y = 0; y + size <= height; y += step)
        {
            for (var x = 0; x + size <= width; x += step)
            {
                var sum = table[((y + size) * (width + 1)) + x + size] - table[(y * (width + 1)) + x + size] - table[((y + size) * (width + 1)) + x] + table[(y * (width + 1)) + x];
                if (sum > best.Sum)
                {
                    best = (x, y, sum);
                }
            }
        }

        return (best.X, best.Y);
    }

    private static byte[] Png(ReadOnlySpan<byte> rgb, int width, int left, int top, int size, Func<byte, byte> map)
    {
        using var image = new Image<Rgb24>(size, size);
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var at = (((top + y) * width) + left + x) * 3;
                image[x, y] = new Rgb24(map(rgb[at]), map(rgb[at + 1]), map(rgb[at + 2]));
            }
        }

        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
