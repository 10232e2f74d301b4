using System.Globalization;

namespace StableVsr.Sampling.Segments;

/// <summary>
/// A run of frames of a sequence upscaled on its own (a segment): frames [<see cref="Start"/>, <see cref="End"/>) are
/// the output, and the <see cref="WarmUp"/> frames before <see cref="Start"/> are sampled too (windows, carried guidance
/// and flows as usual) but not written, so the first output frame starts with temporal guidance carried from them.
/// Frames are numbered in the whole sequence and draw the noise they draw in an unsplit run.
/// </summary>
public sealed record SequenceRange
{
    /// <summary>Creates a range.</summary>
    /// <param name="start">Index in the sequence of the first output frame (0-based).</param>
    /// <param name="end">Index of the frame after the last output frame (exclusive); more than <paramref name="start"/>.</param>
    /// <param name="warmUp">Frames before <paramref name="start"/> sampled but not written; at most <paramref name="start"/>.</param>
    /// <exception cref="InvalidInputException">The range is empty, negative, or warms up before the sequence's first frame.</exception>
    public SequenceRange(int start, int end, int warmUp = 0)
    {
        if (start < 0)
        {
            throw new InvalidInputException($"A frame range must start at frame 0 or later (got start {start}).");
        }

        if (end <= start)
        {
            throw new InvalidInputException($"A frame range must hold at least one frame: its end ({end}, exclusive) must be after its start ({start}).");
        }

        if (warmUp < 0 || warmUp > start)
        {
            throw new InvalidInputException(
                $"The warm-up of frame range [{start}, {end}) must be between 0 and its start ({start}): there are only {start} frame(s) before it (got {warmUp}).");
        }

        Start = start;
        End = end;
        WarmUp = warmUp;
    }

    /// <summary>Index in the sequence of the first output frame.</summary>
    public int Start { get; }

    /// <summary>Index of the frame after the last output frame (exclusive).</summary>
    public int End { get; }

    /// <summary>Frames before <see cref="Start"/> sampled but not written.</summary>
    public int WarmUp { get; }

    /// <summary>Index of the first frame sampled: <see cref="Start"/> - <see cref="WarmUp"/>; windows are counted from it.</summary>
    public int FirstSampled => Start - WarmUp;

    /// <summary>Output frames: <see cref="End"/> - <see cref="Start"/>.</summary>
    public int Count => End - Start;

    /// <summary>The whole of a sequence of <paramref name="frameCount"/> frames.</summary>
    public static SequenceRange Whole(int frameCount) => new(0, frameCount);

    /// <summary>Checks that the range lies within a sequence of <paramref name="frameCount"/> frames.</summary>
    /// <exception cref="InvalidInputException">It ends after the sequence's last frame.</exception>
    public void CheckWithin(int frameCount)
    {
        if (End > frameCount)
        {
            throw new InvalidInputException(
                $"Frame range {this} ends after the sequence's last frame: the sequence has {frameCount} frame(s), so the range's end may be at most {frameCount}.");
        }
    }

    /// <summary>The range as <c>[start, end) warm-up n</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{Start}, {End}) warm-up {WarmUp}");
}
