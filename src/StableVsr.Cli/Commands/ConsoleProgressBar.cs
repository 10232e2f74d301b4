using System.Globalization;

namespace StableVsr.Cli.Commands;

/// <summary>
/// Draws upscaling progress on standard error: one line redrawn in place on a terminal, a line every few seconds when
/// redirected (logs stay readable), with phase, step, frame, elapsed time and an ETA.
/// </summary>
internal sealed class ConsoleProgressBar : IProgress<UpscaleProgress>
{
    private const int Width = 30;
    private readonly TextWriter writer;
    private readonly bool interactive;
    private readonly string label;
    private readonly int? totalFrames;
    private DateTime lastLine = DateTime.MinValue;

    /// <summary>Creates a bar that writes to <paramref name="writer"/>; <paramref name="label"/> prefixes each line.</summary>
    /// <param name="writer">Where to draw.</param>
    /// <param name="interactive">Redraw one line in place (a terminal) rather than print a line every few seconds.</param>
    /// <param name="label">Prefixes each line.</param>
    /// <param name="totalFrames">
    /// The sequence's length when known: a windowed run reports its share of the frames read so far, which this turns
    /// into the share of the whole sequence (every frame costs the same).
    /// </param>
    public ConsoleProgressBar(TextWriter writer, bool interactive, string label, int? totalFrames)
    {
        this.writer = writer;
        this.interactive = interactive;
        this.label = label;
        this.totalFrames = totalFrames;
    }

    /// <inheritdoc />
    public void Report(UpscaleProgress value)
    {
        var now = DateTime.UtcNow;
        var final = value.Phase == UpscalePhase.Completed;
        if (!interactive && !final && now - lastLine < TimeSpan.FromSeconds(5))
        {
            return;
        }

        lastLine = now;
        if (totalFrames is > 0 && value.FrameCount > 0 && !final)
        {
            value = value with { Fraction = Math.Min(1, value.Fraction * value.FrameCount / totalFrames.Value), FrameCount = totalFrames.Value };
        }

        var filled = (int)Math.Round(value.Fraction * Width);
        var bar = new string('#', filled) + new string('.', Width - filled);
        var eta = value.EstimatedRemaining is { } left ? ConsoleStatusLine.Format(left) : "--:--";
        var where = value.Phase == UpscalePhase.Denoising
            ? string.Create(CultureInfo.InvariantCulture, $"step {value.Step}/{value.StepCount} frame {value.Frame + 1}/{value.FrameCount}")
            : value.Phase.ToString().ToLowerInvariant();
        var line = string.Create(CultureInfo.InvariantCulture, $"{label} [{bar}] {value.Fraction * 100,5:0.0}% {where,-24} elapsed {ConsoleStatusLine.Format(value.Elapsed)} eta {eta}");
        ConsoleStatusLine.Write(writer, interactive, line, final, Console.IsErrorRedirected ? 0 : ConsoleStatusLine.TerminalWidth());
    }
}
