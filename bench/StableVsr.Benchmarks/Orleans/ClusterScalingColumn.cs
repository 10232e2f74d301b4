using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StableVsr.Benchmarks.Orleans;

/// <summary>
/// The figures of a <see cref="ClusterScalingBenchmarks"/> case derived from its mean wall time: the ideal time (the
/// simulated device time of the segments in the longest chain one silo runs, nothing else), the speed-up over the
/// one-silo case of the same frame count, that speed-up over the silo count, and the overhead per segment (wall minus
/// ideal, over the segments of that chain).
/// </summary>
public sealed class ClusterScalingColumn(ClusterScalingColumn.Figure figure) : IColumn
{
    /// <summary>Which figure the column shows.</summary>
    public enum Figure
    {
        /// <summary>Ideal wall time, ms.</summary>
        Ideal,

        /// <summary>Wall time of one silo over this case's wall time.</summary>
        SpeedUp,

        /// <summary>Speed-up over the silo count.</summary>
        Efficiency,

        /// <summary>(Wall - ideal) per segment of the longest chain, ms.</summary>
        OverheadPerSegment,
    }

    /// <inheritdoc />
    public string Id => $"{nameof(ClusterScalingColumn)}.{figure}";

    /// <inheritdoc />
    public string ColumnName => figure switch
    {
        Figure.Ideal => "Ideal",
        Figure.SpeedUp => "Speed-up",
        Figure.Efficiency => "Efficiency",
        _ => "Overhead/segment",
    };

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => (int)figure;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => figure switch
    {
        Figure.Ideal => "Simulated device time of the segments one silo runs in a row (ceil(segments / silos) x frames x cost per frame), ms",
        Figure.SpeedUp => "Mean wall time of the one-silo case with the same frames over this case's",
        Figure.Efficiency => "Speed-up over the number of silos (1 = the ideal N x)",
        _ => "(Mean wall time - ideal) over the segments one silo runs in a row, ms",
    };

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        var silos = (int)benchmarkCase.Parameters[nameof(ClusterScalingBenchmarks.Silos)];
        var frames = (int)benchmarkCase.Parameters[nameof(ClusterScalingBenchmarks.Frames)];
        var chain = ClusterScalingBenchmarks.SegmentsInARow(silos);
        var idealMs = ClusterScalingBenchmarks.IdealMilliseconds(silos, frames);
        if (figure == Figure.Ideal)
        {
            return idealMs.ToString("N0", CultureInfo.InvariantCulture);
        }

        if (summary[benchmarkCase]?.ResultStatistics?.Mean is not { } meanNs)
        {
            return "-";
        }

        var wallMs = meanNs / 1e6;
        if (figure == Figure.OverheadPerSegment)
        {
            return ((wallMs - idealMs) / chain).ToString("N0", CultureInfo.InvariantCulture);
        }

        var single = summary.BenchmarksCases.FirstOrDefault(c =>
            (int)c.Parameters[nameof(ClusterScalingBenchmarks.Silos)] == 1 && (int)c.Parameters[nameof(ClusterScalingBenchmarks.Frames)] == frames);
        if (single is null || summary[single]?.ResultStatistics?.Mean is not { } singleNs)
        {
            return "-";
        }

        var speedUp = singleNs / meanNs;
        return figure == Figure.SpeedUp
            ? speedUp.ToString("F2", CultureInfo.InvariantCulture) + "x"
            : (speedUp / silos).ToString("P0", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
