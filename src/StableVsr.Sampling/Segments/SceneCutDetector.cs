namespace StableVsr.Sampling.Segments;

/// <summary>
/// Finds scene cuts between consecutive LR frames by how much their colour distributions differ: per channel a
/// 32-bin histogram, normalised, and half the L1 distance between the two frames' histograms (0: the same colours,
/// 1: no colour in common), averaged over R, G and B. Motion inside a shot moves colours around the frame and barely
/// changes their distribution; a cut to another shot changes it (the measured figures are in docs/cluster.md). The mean
/// absolute pixel difference is kept beside it for comparison: it also grows with fast motion, so it separates less.
/// </summary>
internal static class SceneCutDetector
{
    private const int Bins = 32;

    /// <summary>The histogram distance between two frames of one size, in [0, 1].</summary>
    public static double HistogramDistance(VideoFrame previous, VideoFrame next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        CheckSameSize(previous, next);
        var a = Histogram(previous.Rgb.Span);
        var b = Histogram(next.Rgb.Span);
        var pixels = (double)previous.Width * previous.Height;
        var distance = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            distance += Math.Abs(a[i] - b[i]) / pixels;
        }

        // Half the L1 distance per channel, averaged over the three channels.
        return distance / 2 / 3;
    }

    /// <summary>The mean absolute difference of two frames of one size, in [0, 1].</summary>
    public static double MeanAbsoluteDifference(VideoFrame previous, VideoFrame next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        CheckSameSize(previous, next);
        var a = previous.Rgb.Span;
        var b = next.Rgb.Span;
        long sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }

        return sum / 255.0 / a.Length;
    }

    private static int[] Histogram(ReadOnlySpan<byte> rgb)
    {
        var counts = new int[3 * Bins];
        for (var i = 0; i < rgb.Length; i++)
        {
            counts[((i % 3) * Bins) + (rgb[i] * Bins / 256)]++;
        }

        return counts;
    }

    private static void CheckSameSize(VideoFrame previous, VideoFrame next)
    {
        if (previous.Width != next.Width || previous.Height != next.Height)
        {
            throw new InvalidInputException(
                $"Frames of a sequence must all have the same size: frame {next.Index} is {next.Width}x{next.Height}, frame {previous.Index} is {previous.Width}x{previous.Height}.");
        }
    }
}
