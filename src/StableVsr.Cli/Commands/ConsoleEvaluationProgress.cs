using System.Globalization;
using StableVsr.Evaluation;

namespace StableVsr.Cli.Commands;

/// <summary>
/// Draws evaluation progress on standard error: one line redrawn in place on a terminal, a line every few seconds when
/// redirected, with the sequence, frames done, elapsed time and an ETA.
/// </summary>
public sealed class ConsoleEvaluationProgress : IProgress<EvaluationProgress>
{
    private const int Width = 30;
    private readonly TextWriter writer;
    private readonly bool interactive;
    private DateTime lastLine = DateTime.MinValue;

    /// <summary>Creates a bar that writes to <paramref name="writer"/>, redrawing one line when <paramref name="interactive"/>.</summary>
    public ConsoleEvaluationProgress(TextWriter writer, bool interactive)
    {
        this.writer = writer;
        this.interactive = interactive;
    }

    /// <inheritdoc />
    public void Report(EvaluationProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var now = DateTime.UtcNow;
        var final = value.FramesDone == value.FrameCount;
        if (!final && now - lastLine < TimeSpan.FromSeconds(interactive ? 0.2 : 5))
        {
            return;
        }

        lastLine = now;
        var filled = (int)Math.Round(value.Fraction * Width);
        var bar = new string('#', filled) + new string('.', Width - filled);
        var eta = value.EstimatedRemaining is { } left ? ConsoleStatusLine.Format(left) : "--:--";
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"eval [{bar}] {value.FramesDone}/{value.FrameCount} frames, sequence {value.Sequence} ({value.SequenceIndex + 1}/{value.SequenceCount}) elapsed {ConsoleStatusLine.Format(value.Elapsed)} eta {eta}");
        ConsoleStatusLine.Write(writer, interactive, line, final);
    }
}
