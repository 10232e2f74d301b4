using Microsoft.Extensions.Logging;

namespace StableVsr.Training.Logging;

/// <summary>
/// <c>loss_curve.png</c>: the loss of every logged step and its running mean, drawn with ScottPlot and written through a
/// temporary file. Plotting needs SkiaSharp's native library; where it cannot load, the curve is skipped with a
/// warning and training goes on (the CSV log has the same numbers).
/// </summary>
internal static class LossCurvePlot
{
    /// <summary>The file name in the output folder.</summary>
    public const string FileName = "loss_curve.png";

    private const int Width = 900;
    private const int Height = 500;

    /// <summary>Draws <paramref name="entries"/> into <paramref name="folder"/>; returns the file, or null when plotting failed.</summary>
    public static string? Write(string folder, IReadOnlyList<TrainingLogEntry> entries, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(logger);
        if (entries.Count == 0)
        {
            return null;
        }

        var path = Path.Combine(folder, FileName);
        var temporary = Path.Combine(folder, $".loss_curve.{Guid.NewGuid():N}.png");
        try
        {
            var steps = entries.Select(e => (double)e.Step).ToArray();
            var losses = entries.Select(e => e.Loss).ToArray();
            using var plot = new ScottPlot.Plot();
            var raw = plot.Add.Scatter(steps, losses);
            raw.LegendText = "loss";
            raw.MarkerSize = entries.Count > 200 ? 0 : 3;
            raw.LineWidth = 1;
            var mean = plot.Add.Scatter(steps, RunningMean(losses, Math.Max(1, entries.Count / 20)));
            mean.LegendText = "running mean";
            mean.MarkerSize = 0;
            mean.LineWidth = 2;
            plot.XLabel("optimizer step");
            plot.YLabel("MSE loss");
            plot.Title("StableVsr ControlNet training");
            plot.ShowLegend();
            plot.SavePng(temporary, Width, Height);
            File.Move(temporary, path, overwrite: true);
            return path;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException or IOException or InvalidOperationException)
        {
            TrainingLog.CurveFailed(logger, e.Message, TrainingCsvLog.FileName);
            return null;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static double[] RunningMean(double[] values, int window)
    {
        var result = new double[values.Length];
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window)
            {
                sum -= values[i - window];
            }

            result[i] = sum / Math.Min(i + 1, window);
        }

        return result;
    }
}
