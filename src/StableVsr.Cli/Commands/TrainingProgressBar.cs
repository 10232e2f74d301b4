using System.Globalization;
using StableVsr.Training;

namespace StableVsr.Cli.Commands;

/// <summary>
/// Draws training progress on standard error: one line redrawn in place on a terminal, a line every few seconds when
/// redirected, with step, loss, learning rate, gradient norm, step time, elapsed time and ETA.
/// </summary>
internal sealed class TrainingProgressBar : IProgress<TrainingProgress>
{
    private const int Width = 30;
    private readonly TextWriter writer;
    private readonly bool interactive;
    private DateTime lastLine = DateTime.MinValue;

    /// <summary>Creates a bar that writes to <paramref name="writer"/>, redrawing one line when <paramref name="interactive"/>.</summary>
    public TrainingProgressBar(TextWriter writer, bool interactive)
    {
        this.writer = writer;
        this.interactive = interactive;
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var now = DateTime.UtcNow;
        var final = value.Phase == TrainingPhase.Completed;
        if (!interactive && !final && value.Phase == TrainingPhase.Training && now - lastLine < TimeSpan.FromSeconds(5))
        {
            return;
        }

        lastLine = now;
        var filled = (int)Math.Round(value.Fraction * Width);
        var bar = new string('#', filled) + new string('.', Width - filled);
        var eta = value.EstimatedRemaining is { } left ? ConsoleStatusLine.Format(left) : "--:--";
        var loss = value.Loss is double l ? l.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
        var phase = value.Phase == TrainingPhase.Training ? string.Empty : " " + value.Phase.ToString().ToLowerInvariant();
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"train [{bar}] step {value.Step}/{value.MaxSteps} loss {loss} lr {value.LearningRate:0.###e+0} grad {value.GradNorm:0.000} {value.StepTime.TotalSeconds:0.00}s/step elapsed {ConsoleStatusLine.Format(value.Elapsed)} eta {eta}{phase}");
        ConsoleStatusLine.Write(writer, interactive, line, final, ConsoleStatusLine.TerminalWidth());
    }
}
