namespace StableVsr.Evaluation;

/// <summary>How eval.py names, scales and rounds a metric in its summary line, and which direction is better.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Name">The name eval.py prints (<c>PSNR</c>, <c>CLIP</c>, <c>tLPIPS</c>, ...).</param>
/// <param name="Scale">The factor eval.py multiplies the mean by before rounding (1000 for tLPIPS, 10 for tOF, else 1).</param>
/// <param name="Decimals">The decimals eval.py rounds the scaled mean to.</param>
/// <param name="HigherIsBetter">Whether a larger value means a better output.</param>
/// <param name="IsTemporal">Whether it compares consecutive frames (undefined for the first frame of a sequence).</param>
/// <param name="Unit">The unit of a per-frame value, for tables (<c>dB</c>, <c>px</c>, or empty).</param>
/// <param name="NeedsGroundTruth">Whether it compares with the ground truth (false for MUSIQ, CLIP-IQA and NIQE, which judge the output alone).</param>
public sealed record MetricInfo(Metric Metric, string Name, double Scale, int Decimals, bool HigherIsBetter, bool IsTemporal, string Unit, bool NeedsGroundTruth = true)
{
    private static readonly Dictionary<Metric, MetricInfo> ByMetric;

    static MetricInfo()
    {
        ByMetric = All.ToDictionary(m => m.Metric);
    }

    /// <summary>The nine metrics in eval.py's printing order: PSNR, SSIM, LPIPS, DISTS, MUSIQ, CLIP, NIQE, tLPIPS, tOF.</summary>
    public static IReadOnlyList<MetricInfo> All { get; } =
    [
        new(Metric.Psnr, "PSNR", 1, 2, true, false, "dB"),
        new(Metric.Ssim, "SSIM", 1, 3, true, false, string.Empty),
        new(Metric.Lpips, "LPIPS", 1, 3, false, false, string.Empty),
        new(Metric.Dists, "DISTS", 1, 3, false, false, string.Empty),
        new(Metric.Musiq, "MUSIQ", 1, 2, true, false, string.Empty, NeedsGroundTruth: false),
        new(Metric.ClipIqa, "CLIP", 1, 3, true, false, string.Empty, NeedsGroundTruth: false),
        new(Metric.Niqe, "NIQE", 1, 2, false, false, string.Empty, NeedsGroundTruth: false),
        new(Metric.TLpips, "tLPIPS", 1e3, 2, false, true, string.Empty),
        new(Metric.Tof, "tOF", 1e1, 3, false, true, "px"),
    ];

    /// <summary>The metrics that judge the output alone (MUSIQ, CLIP-IQA, NIQE), in eval.py's order.</summary>
    public static IReadOnlyList<Metric> NoReference { get; } = All.Where(m => !m.NeedsGroundTruth).Select(m => m.Metric).ToArray();

    /// <summary>The description of <paramref name="metric"/>.</summary>
    public static MetricInfo Of(Metric metric) => ByMetric[metric];

    /// <summary>Parses eval.py's name or the enum name (any case): <c>psnr</c>, <c>tLPIPS</c>, <c>clip</c> or <c>clipiqa</c>, <c>niqe</c>.</summary>
    /// <exception cref="InvalidInputException">The name is not one of the nine metrics.</exception>
    public static Metric Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        var match = All.FirstOrDefault(m => string.Equals(m.Name, trimmed, StringComparison.OrdinalIgnoreCase) || string.Equals(m.Metric.ToString(), trimmed, StringComparison.OrdinalIgnoreCase));
        if (match is null && string.Equals(trimmed, "clip-iqa", StringComparison.OrdinalIgnoreCase))
        {
            match = Of(Metric.ClipIqa);
        }

        return match?.Metric ?? throw new InvalidInputException(
            $"Unknown metric '{name}': use {string.Join(", ", All.Select(m => m.Name.ToLowerInvariant()))}.");
    }
}
