using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>"Frames/s": a case's <c>Frames</c> parameter divided by its mean wall-clock time ("-" for cases without one).</summary>
public sealed class FramesPerSecondColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(FramesPerSecondColumn);

    /// <inheritdoc />
    public string ColumnName => "Frames/s";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => "Frames processed per second of mean wall-clock time";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        var frames = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Frames")?.Value;
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return frames is int count && mean is > 0
            ? (count / (mean.Value / 1e9)).ToString("F1", CultureInfo.InvariantCulture)
            : "-";
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
