using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace StableVsr.Tests.Training;

/// <summary>
/// Writes tiny training sequences in the REDS layout (<c>hr/NAME/00000000.png</c>, <c>lr/NAME/...</c>): moving shapes
/// (a bright square and a dark disc crossing a gradient, a few pixels per frame), HR frames of the given size and LR
/// frames a quarter of it (4x4 box averages, so they are aligned with the HR frames as REDS's bicubic ones are).
/// </summary>
internal static class SyntheticTrainingData
{
    /// <summary>Writes <paramref name="names"/> sequences of <paramref name="frames"/> frames under <paramref name="root"/>.</summary>
    public static void Write(string root, IReadOnlyList<string> names, int frames, int hrSize = 128)
    {
        for (var s = 0; s < names.Count; s++)
        {
            var hrFolder = Directory.CreateDirectory(Path.Combine(root, "hr", names[s])).FullName;
            var lrFolder = Directory.CreateDirectory(Path.Combine(root, "lr", names[s])).FullName;
            for (var f = 0; f < frames; f++)
            {
                var name = f.ToString("00000000", CultureInfo.InvariantCulture) + ".png";
                var hr = Frame(hrSize, s, f);
                Save(Path.Combine(hrFolder, name), hr, hrSize);
                Save(Path.Combine(lrFolder, name), Downscale(hr, hrSize), hrSize / 4);
            }
        }
    }

    /// <summary>Writes a REDS metadata file listing the sequences ("name count (h,w,3)").</summary>
    public static string WriteMetadata(string path, IReadOnlyList<string> names, int frames, int hrSize = 128)
    {
        File.WriteAllLines(path, names.Select(n => $"{n} {frames} ({hrSize},{hrSize},3)"));
        return path;
    }

    /// <summary>Writes one RGB image.</summary>
    public static void Save(string path, byte[] rgb, int size)
    {
        using var image = Image.LoadPixelData<Rgb24>(rgb, size, size);
        image.SaveAsPng(path);
    }

    private static byte[] Frame(int size, int sequence, int frame)
    {
        var rgb = new byte[size * size * 3];
        var square = (X: 10 + (3 * frame) + (5 * sequence), Y: 20 + (2 * frame), Side: size / 5);
        var disc = (X: size - 30 - (2 * frame), Y: size - 35 + frame - (3 * sequence), Radius: size / 8);
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var i = ((y * size) + x) * 3;
                var (r, g, b) = (40 + (x * 120 / size), 60 + (y * 100 / size), 90 + (30 * sequence));
                if (x >= square.X && x < square.X + square.Side && y >= square.Y && y < square.Y + square.Side)
                {
                    (r, g, b) = (230, 210, 60);
                }

                var (dx, dy) = (x - disc.X, y - disc.Y);
                if ((dx * dx) + (dy * dy) <= disc.Radius * disc.Radius)
                {
                    (r, g, b) = (20, 30, 120);
                }

                rgb[i] = (byte)Math.Clamp(r, 0, 255);
                rgb[i + 1] = (byte)Math.Clamp(g, 0, 255);
                rgb[i + 2] = (byte)Math.Clamp(b, 0, 255);
            }
        }

        return rgb;
    }

    private static byte[] Downscale(byte[] hr, int size)
    {
        var small = size / 4;
        var rgb = new byte[small * small * 3];
        for (var y = 0; y < small; y++)
        {
            for (var x = 0; x < small; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var sum = 0;
                    for (var v = 0; v < 4; v++)
                    {
                        for (var u = 0; u < 4; u++)
                        {
                            sum += hr[(((((y * 4) + v) * size) + (x * 4) + u) * 3) + c];
                        }
                    }

                    rgb[(((y * small) + x) * 3) + c] = (byte)((sum + 8) / 16);
                }
            }
        }

        return rgb;
    }
}
