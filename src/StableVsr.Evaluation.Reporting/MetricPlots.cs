using ScottPlot;

namespace StableVsr.Evaluation.Reporting;

/// <summary>One PNG plot per metric: its value over the frame index, a line per sequence (flicker shows as spikes).</summary>
internal static class MetricPlots
{
    public static byte[] Render(EvaluationResult result, Metric metric, (int Width, int Height) size)
    {
        var info = MetricInfo.Of(metric);
        var plot = new Plot();
        foreach (var sequence in result.Sequences)
        {
            var points = result.Frames
                .Where(f => f.Sequence == sequence.Name && f.Get(metric) is { } v && double.IsFinite(v))
                .Select(f => (X: (double)f.Index, Y: f.Get(metric)!.Value))
                .ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            line.LegendText = sequence.Name;
            line.MarkerSize = points.Length > 60 ? 0 : 5;
        }

        var unit = info.Unit.Length > 0 ? $" ({info.Unit})" : string.Empty;
        plot.Title($"{info.Name} per frame{(info.IsTemporal ? " (frame k against k-1)" : string.Empty)}");
        plot.XLabel("frame");
        plot.YLabel(info.Name + unit + (info.HigherIsBetter ? ", higher is better" : ", lower is better"));
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (result.Sequences.Count > 1)
        {
            plot.ShowLegend(Alignment.UpperRight);
        }

        return plot.GetImageBytes(size.Width, size.Height, ImageFormat.Png);
    }
}
