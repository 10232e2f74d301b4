using StableVsr.IO;
using StableVsr.Training.Randomness;

namespace StableVsr.Training.Data;

/// <summary>
/// StableVSR's <c>REDSRecurrentDataset</c> over a list of sequences: one window per frame of every sequence, starting at
/// that frame (or at a random frame when the window would run past the end), 3 frames spaced by an interval drawn from
/// the interval list, optionally reversed; then basicsr's <c>paired_random_crop</c> (a random LR crop of a quarter of the
/// GT size and the aligned GT crop) and <c>augment</c> (a horizontal flip with probability one half). Epochs visit the
/// windows in a seeded random order (the DataLoader's <c>shuffle=True</c>); each window's choices come from a generator
/// keyed by (seed, epoch, position), so any batch can be rebuilt from its position alone.
/// </summary>
internal sealed class WindowDataset
{
    /// <summary>Frames per window.</summary>
    public const int WindowFrames = 3;

    /// <summary>The HR to LR size ratio.</summary>
    public const int Scale = 4;

    private const long OrderKey = 1;
    private const long SampleKey = 2;

    private readonly IReadOnlyList<TrainingSequence> sequences;
    private readonly (int Sequence, int Frame)[] keys;
    private readonly IReadOnlyList<int> intervals;
    private readonly bool flip;
    private readonly bool reverse;
    private readonly long seed;

    public WindowDataset(IReadOnlyList<TrainingSequence> sequences, int gtSize, IReadOnlyList<int> intervals, bool flip, bool reverse, long seed)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(intervals);
        this.sequences = sequences;
        this.intervals = intervals;
        this.flip = flip;
        this.reverse = reverse;
        this.seed = seed;
        GtSize = gtSize;
        keys = sequences.SelectMany((s, i) => Enumerable.Range(0, s.FrameCount).Select(f => (i, f))).ToArray();
    }

    /// <summary>Windows per epoch (one per frame, as the reference's keys).</summary>
    public int Count => keys.Length;

    /// <summary>Ground-truth crop side.</summary>
    public int GtSize { get; }

    /// <summary>The fewest frames a sequence needs for the widest interval.</summary>
    public static int MinimumFrames(IReadOnlyList<int> intervals) => WindowFrames * intervals.Max();

    /// <summary>
    /// Reads the size of the first HR and LR frame of every sequence (image headers only), so a scale mismatch or a crop
    /// larger than the frames stops training before it starts rather than at the first batch that meets it.
    /// </summary>
    /// <exception cref="InvalidInputException">A frame is unreadable, the sizes do not differ by 4x, or the crop does not fit.</exception>
    public void CheckFirstFrames()
    {
        foreach (var sequence in sequences)
        {
            var hr = Identify(sequence.HighResolution[0]);
            var lr = Identify(sequence.LowResolution[0]);
            CheckPair(sequence, sequence.HighResolution[0], hr, sequence.LowResolution[0], lr);
            CheckCrop(sequence, sequence.HighResolution[0], hr, lr);
        }
    }

    /// <summary>Batches per epoch; the last one may be smaller (the DataLoader's <c>drop_last=False</c>).</summary>
    public int BatchesPerEpoch(int batchSize) => (Count + batchSize - 1) / batchSize;

    /// <summary>The window indices of batch <paramref name="position"/>.</summary>
    public IReadOnlyList<int> BatchIndices(DataPosition position, int batchSize)
    {
        var order = EpochOrder(position.Epoch);
        var start = position.Batch * batchSize;
        return order[start..Math.Min(start + batchSize, order.Length)];
    }

    /// <summary>The order an epoch visits the windows in: a Fisher-Yates shuffle keyed by (seed, epoch).</summary>
    public int[] EpochOrder(int epoch)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        var random = new KeyedRandom(KeyedSeed.Derive(seed, OrderKey, epoch));
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.NextInt(0, i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>
    /// Decodes, crops and flips window <paramref name="window"/> (the <paramref name="slot"/>-th of a batch at
    /// <paramref name="position"/>) into <paramref name="gt"/> and <paramref name="lq"/>, and returns its key.
    /// </summary>
    /// <exception cref="InvalidInputException">A frame is unreadable, the LR and HR sizes do not differ by 4x, the frames of a window differ in size, or the crop is larger than the frames.</exception>
    public string Fill(DataPosition position, int slot, int window, int batchSize, float[] gt, float[] lq)
    {
        var (sequenceIndex, frame) = keys[window];
        var sequence = sequences[sequenceIndex];
        var random = new KeyedRandom(KeyedSeed.Derive(seed, SampleKey, position.Epoch, ((long)position.Batch * batchSize) + slot));

        var interval = intervals[random.NextInt(0, intervals.Count - 1)];
        var lastStart = sequence.FrameCount - (WindowFrames * interval);
        var start = frame;
        if (start > lastStart)
        {
            start = random.NextInt(0, lastStart);
        }

        var frames = Enumerable.Range(0, WindowFrames).Select(i => start + (i * interval)).ToArray();
        if (reverse && random.NextDouble() < 0.5)
        {
            Array.Reverse(frames);
        }

        var hrFrames = frames.Select(f => ImageFolderSource.ReadFrame(sequence.HighResolution[f])).ToArray();
        var lrFrames = frames.Select(f => ImageFolderSource.ReadFrame(sequence.LowResolution[f])).ToArray();
        CheckSizes(sequence, frames, hrFrames, lrFrames);

        var patch = GtSize / Scale;
        var top = random.NextInt(0, lrFrames[0].Height - patch);
        var left = random.NextInt(0, lrFrames[0].Width - patch);
        var mirrored = flip && random.NextDouble() < 0.5;
        for (var i = 0; i < WindowFrames; i++)
        {
            Crop(hrFrames[i], top * Scale, left * Scale, GtSize, mirrored, gt, ((slot * WindowFrames) + i) * 3 * GtSize * GtSize);
            Crop(lrFrames[i], top, left, patch, mirrored, lq, ((slot * WindowFrames) + i) * 3 * patch * patch);
        }

        return $"{sequence.Name}/{Path.GetFileName(sequence.HighResolution[frames[0]])}";
    }

    // Copies a size x size crop at (top, left) as float32 CHW values k / 255, mirrored left-right when asked.
    private static void Crop(VideoFrame frame, int top, int left, int size, bool mirrored, float[] destination, int offset)
    {
        var rgb = frame.Rgb.Span;
        var plane = size * size;
        for (var y = 0; y < size; y++)
        {
            var row = ((top + y) * frame.Width) + left;
            for (var x = 0; x < size; x++)
            {
                var source = (row + (mirrored ? size - 1 - x : x)) * 3;
                var target = offset + (y * size) + x;
                destination[target] = rgb[source] / 255f;
                destination[target + plane] = rgb[source + 1] / 255f;
                destination[target + (2 * plane)] = rgb[source + 2] / 255f;
            }
        }
    }

    private static (int Width, int Height) Identify(string path)
    {
        try
        {
            var info = SixLabors.ImageSharp.Image.Identify(path);
            return info is null
                ? throw new InvalidInputException($"Image '{path}' is corrupt or not a supported image (PNG, JPEG, BMP).")
                : (info.Width, info.Height);
        }
        catch (Exception e) when (e is SixLabors.ImageSharp.UnknownImageFormatException or SixLabors.ImageSharp.InvalidImageContentException or NotSupportedException)
        {
            throw new InvalidInputException($"Image '{path}' is corrupt or not a supported image (PNG, JPEG, BMP): {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"Image '{path}' cannot be read: {e.Message}", e);
        }
    }

    private static void CheckPair(TrainingSequence sequence, string hrPath, (int Width, int Height) hr, string lrPath, (int Width, int Height) lr)
    {
        if (hr.Width != lr.Width * Scale || hr.Height != lr.Height * Scale)
        {
            throw new InvalidInputException(
                $"Sequence '{sequence.Name}': HR frame '{hrPath}' is {hr.Width}x{hr.Height} but its LR frame '{lrPath}' is {lr.Width}x{lr.Height}; HR frames must be exactly 4x their LR frames.");
        }
    }

    private void CheckCrop(TrainingSequence sequence, string hrPath, (int Width, int Height) hr, (int Width, int Height) lr)
    {
        var patch = GtSize / Scale;
        if (lr.Width < patch || lr.Height < patch)
        {
            throw new InvalidInputException(
                $"The {GtSize} px GT crop ({patch} px LR) is larger than the frames of sequence '{sequence.Name}' ('{hrPath}' is {hr.Width}x{hr.Height}, " +
                $"LR {lr.Width}x{lr.Height}). Use a smaller GtSize or larger frames.");
        }
    }

    private void CheckSizes(TrainingSequence sequence, int[] frames, VideoFrame[] hr, VideoFrame[] lr)
    {
        for (var i = 0; i < frames.Length; i++)
        {
            var lrPath = sequence.LowResolution[frames[i]];
            CheckPair(sequence, sequence.HighResolution[frames[i]], (hr[i].Width, hr[i].Height), lrPath, (lr[i].Width, lr[i].Height));
            if (lr[i].Width != lr[0].Width || lr[i].Height != lr[0].Height)
            {
                throw new InvalidInputException(
                    $"Frames of sequence '{sequence.Name}' differ in size: '{lrPath}' is {lr[i].Width}x{lr[i].Height}, '{sequence.LowResolution[frames[0]]}' is {lr[0].Width}x{lr[0].Height}.");
            }
        }

        CheckCrop(sequence, sequence.HighResolution[frames[0]], (hr[0].Width, hr[0].Height), (lr[0].Width, lr[0].Height));
    }
}
