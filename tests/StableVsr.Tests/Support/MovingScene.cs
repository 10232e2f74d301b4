namespace StableVsr.Tests.Support;

/// <summary>
/// Small synthetic sequences with real motion (a bright square and a soft blob crossing a gradient), so optical flow
/// and temporal guidance have something to follow; deterministic for a given seed.
/// </summary>
public static class MovingScene
{
    /// <summary>Frames 0..<paramref name="count"/>-1 of <paramref name="width"/>x<paramref name="height"/>, named f000.png, f001.png, ...</summary>
    public static VideoFrame[] Frames(int count, int width = 32, int height = 32, int seed = 1) =>
        Enumerable.Range(0, count).Select(i => Frame(i, width, height, seed)).ToArray();

    /// <summary>Frame <paramref name="i"/> of the scene, made on its own (for long sequences generated lazily).</summary>
    public static VideoFrame Frame(int i, int width = 32, int height = 32, int seed = 1)
    {
        var random = new Random(seed);
        var (vx, vy) = (1 + random.NextDouble(), 0.5 + random.NextDouble());
        var bytes = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // The square wraps around, so long sequences keep moving content.
                var (sx, sy) = (((x - (vx * i)) % width + width) % width - 8, ((y - (vy * i)) % height + height) % height - 10);
                var square = Math.Abs(sx) < 5 && Math.Abs(sy) < 5 ? 150 : 0;
                var (bx, by) = (x - (width - 8 - (0.7 * (i % 16))), y - (height / 2.0));
                var blob = 90 * Math.Exp(-((bx * bx) + (by * by)) / 30);
                var offset = ((y * width) + x) * 3;
                bytes[offset] = (byte)Math.Clamp(40 + (4 * x) + square, 0, 255);
                bytes[offset + 1] = (byte)Math.Clamp(30 + (5 * y) + blob, 0, 255);
                bytes[offset + 2] = (byte)Math.Clamp(200 - (3 * x) + (square / 2) - blob, 0, 255);
            }
        }

        return new VideoFrame(width, height, bytes, i, $"f{i:D3}.png");
    }

    /// <summary>Writes <see cref="Frames"/> as PNGs into <paramref name="folder"/> and returns the folder.</summary>
    public static string WriteFolder(string folder, int count, int width = 32, int height = 32, int seed = 1)
    {
        Directory.CreateDirectory(folder);
        var sink = new StableVsr.IO.ImageFolderSink(folder);
        foreach (var frame in Frames(count, width, height, seed))
        {
            sink.WriteAsync(frame).AsTask().GetAwaiter().GetResult();
        }

        return folder;
    }
}
