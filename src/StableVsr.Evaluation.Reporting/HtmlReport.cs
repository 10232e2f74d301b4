using System.Globalization;
using System.Net;
using System.Text;
using StableVsr.Evaluation.Summary;

namespace StableVsr.Evaluation.Reporting;

/// <summary>
/// A report of an evaluation that a person can read in any browser, as one self-contained HTML file (plots and crops
/// are embedded as data URIs; nothing is fetched): eval.py's line, a summary table, a table per sequence, a plot per
/// metric over the frame index, and side-by-side crops of the worst frames where output and ground truth differ most.
/// </summary>
public static class HtmlReport
{
    private static readonly Dictionary<Metric, string> Descriptions = new()
    {
        [Metric.Psnr] = "Pixel fidelity: 10·log10(1 / MSE) over the whole frame.",
        [Metric.Ssim] = "Local luminance, contrast and structure (11×11 Gaussian window).",
        [Metric.Lpips] = "Perceptual distance: AlexNet features weighted by LPIPS' learned heads.",
        [Metric.Dists] = "Perceptual structure and texture distance on VGG16 features.",
        [Metric.TLpips] = "Flicker: how far the perceptual change between consecutive frames departs from the ground truth's (eval.py prints it ×10³).",
        [Metric.Tof] = "Motion consistency: mean difference between the RAFT flows of output and ground truth (eval.py prints it ×10).",
        [Metric.Musiq] = "No reference: MUSIQ's quality score (KonIQ-10k mean opinion score, about 0-100) of the output alone.",
        [Metric.ClipIqa] = "No reference: CLIP-IQA, how much CLIP prefers good/sharp/high-resolution/noise-free prompts over their antonyms (0-1).",
        [Metric.Niqe] = "No reference: NIQE, distance of the output's natural-scene statistics to pristine images (frames under 96 px get none).",
    };

    /// <summary>Writes the report to <paramref name="path"/>, completely or not at all.</summary>
    /// <exception cref="InvalidInputException">The file cannot be written.</exception>
    public static async Task WriteAsync(EvaluationResult result, string path, HtmlReportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var html = await Task.Run(() => Render(result, options), cancellationToken).ConfigureAwait(false);
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(temporary, html, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"Cannot write the report '{full}': {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>The report as HTML text.</summary>
    public static string Render(EvaluationResult result, HtmlReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        options ??= HtmlReportOptions.Default;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<title>").Append(Encode(options.Title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        html.Append("<h1>").Append(Encode(options.Title)).Append("</h1>\n");
        html.Append("<p class=\"line\">eval.py prints: <code id=\"summary-line\">").Append(Encode(result.SummaryLine)).Append("</code></p>\n");
        html.Append("<p class=\"about\">").Append(result.Sequences.Count).Append(" sequence(s), ").Append(result.Frames.Count).Append(" frame pair(s).");
        foreach (var line in options.About)
        {
            html.Append("<br>").Append(Encode(line));
        }

        html.Append("</p>\n");
        Summary(html, result);
        Sequences(html, result);
        Plots(html, result, options);
        WorstFrames(html, result, options);
        Notes(html, result);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Summary(StringBuilder html, EvaluationResult result)
    {
        html.Append("<h2>Summary</h2>\n<table id=\"summary\">\n<thead><tr><th>metric</th><th>eval.py prints</th><th>mean of sequence means</th><th>better</th><th>what it measures</th></tr></thead>\n<tbody>\n");
        foreach (var metric in result.Metrics)
        {
            var info = MetricInfo.Of(metric);
            html.Append("<tr><th>").Append(info.Name).Append("</th><td class=\"num big\">").Append(PythonFloat.Format(result.Rounded[metric]))
                .Append("</td><td class=\"num\">").Append(Number(result.Overall[metric] * info.Scale, info.Decimals + 3))
                .Append("</td><td class=\"num\">").Append(info.HigherIsBetter ? "higher ↑" : "lower ↓")
                .Append("</td><td>").Append(Encode(Descriptions[metric])).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static void Sequences(StringBuilder html, EvaluationResult result)
    {
        html.Append("<h2>Per sequence</h2>\n<table id=\"sequences\">\n<thead><tr><th>sequence</th><th>frames</th>");
        foreach (var metric in result.Metrics)
        {
            var info = MetricInfo.Of(metric);
            html.Append("<th>").Append(info.Name).Append(info.Scale == 1 ? string.Empty : $" ×{info.Scale.ToString("0", CultureInfo.InvariantCulture)}").Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var sequence in result.Sequences)
        {
            html.Append("<tr><th>").Append(Encode(sequence.Name)).Append("</th><td class=\"num\">").Append(sequence.FrameCount);
            foreach (var metric in result.Metrics)
            {
                var info = MetricInfo.Of(metric);
                html.Append("</td><td class=\"num\">").Append(Number(sequence.Means[metric] * info.Scale, info.Decimals + 1));
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static void Plots(StringBuilder html, EvaluationResult result, HtmlReportOptions options)
    {
        html.Append("<h2>Per frame</h2>\n");
        foreach (var metric in result.Metrics)
        {
            var name = MetricInfo.Of(metric).Name;
            html.Append("<figure class=\"plot\"><img alt=\"").Append(name).Append(" per frame\" src=\"").Append(DataUri(MetricPlots.Render(result, metric, options.PlotSize)))
                .Append("\" width=\"").Append(options.PlotSize.Width).Append("\" height=\"").Append(options.PlotSize.Height).Append("\"></figure>\n");
        }
    }

    private static void WorstFrames(StringBuilder html, EvaluationResult result, HtmlReportOptions options)
    {
        var rank = options.RankBy ?? new[] { Metric.Lpips, Metric.Dists, Metric.Psnr, Metric.Ssim, Metric.Niqe, Metric.Musiq, Metric.ClipIqa }.Cast<Metric?>().FirstOrDefault(m => result.Metrics.Contains(m!.Value));
        if (options.WorstFrames <= 0 || rank is not { } metric || !result.Metrics.Contains(metric))
        {
            return;
        }

        var info = MetricInfo.Of(metric);
        var ranked = result.Frames.Where(f => f.Get(metric) is { } v && !double.IsNaN(v));
        var worst = (info.HigherIsBetter ? ranked.OrderBy(f => f.Get(metric)) : ranked.OrderByDescending(f => f.Get(metric))).Take(options.WorstFrames).ToArray();
        html.Append("<h2>Worst frames by ").Append(info.Name).Append("</h2>\n<p class=\"about\">Ground truth, output and their difference (×4), cropped where they differ most.</p>\n");
        foreach (var frame in worst)
        {
            var values = string.Join(", ", result.Metrics.Where(m => frame.Get(m) is not null).Select(m => $"{MetricInfo.Of(m).Name} {Number(frame.Get(m)!.Value, MetricInfo.Of(m).Decimals + 2)}"));
            html.Append("<section class=\"worst\"><h3>").Append(Encode(frame.Sequence)).Append(" / frame ").Append(frame.Index)
                .Append(frame.OutputName is null ? string.Empty : $" ({Encode(frame.OutputName)})").Append("</h3><p>").Append(Encode(values)).Append("</p>\n");
            if (FrameCrops.Render(frame, options.CropSize) is { } crops)
            {
                var where = $"{crops.Size}×{crops.Size} px at ({crops.X}, {crops.Y})";
                html.Append("<div class=\"crops\">");
                foreach (var (label, png) in new[] { ("ground truth", crops.GroundTruth), ("output", crops.Output), ("difference ×4", crops.Difference) })
                {
                    html.Append("<figure><img alt=\"").Append(label).Append(' ').Append(where).Append("\" src=\"").Append(DataUri(png)).Append("\"><figcaption>").Append(label).Append("</figcaption></figure>");
                }

                html.Append("</div><p class=\"about\">").Append(Encode(where)).Append("</p>");
            }
            else
            {
                html.Append("<p class=\"about\">No crop: the frames were not read from files.</p>");
            }

            html.Append("</section>\n");
        }
    }

    private static void Notes(StringBuilder html, EvaluationResult result)
    {
        html.Append("<h2>Notes</h2>\n<ul id=\"notes\">\n");
        foreach (var note in result.Notes)
        {
            html.Append("<li>").Append(Encode(note)).Append("</li>\n");
        }

        var missing = MetricInfo.All.Where(m => !result.Metrics.Contains(m.Metric)).Select(m => m.Name).ToArray();
        if (missing.Length > 0)
        {
            html.Append("<li>Not computed in this run (eval.py prints all nine): ").Append(Encode(string.Join(", ", missing))).Append(".</li>\n");
        }

        html.Append("</ul>\n");
    }

    private static string Number(double value, int decimals) => double.IsFinite(value)
        ? value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
        : PythonFloat.Format(value);

    private static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Style = """
        body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1000px; color: #1b1f24; padding: 0 1rem; }
        h1 { font-size: 1.6rem; margin-bottom: 0.3rem; }
        h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; }
        h3 { font-size: 1rem; margin: 1rem 0 0.2rem; }
        code { background: #f3f4f6; padding: 0.15rem 0.4rem; border-radius: 4px; }
        .line { font-size: 1.05rem; }
        .about { color: #57606a; font-size: 0.9rem; }
        table { border-collapse: collapse; margin: 0.5rem 0; }
        th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
        thead th { background: #f6f8fa; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.big { font-weight: 600; }
        figure { margin: 0.5rem 0; }
        .crops { display: flex; gap: 0.5rem; flex-wrap: wrap; }
        .crops img { width: 300px; height: 300px; image-rendering: pixelated; border: 1px solid #d0d7de; }
        .crops figcaption { text-align: center; font-size: 0.85rem; color: #57606a; }
        .plot img { max-width: 100%; height: auto; }

        """;
}
