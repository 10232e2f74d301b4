using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// "CPU time": process CPU time per measured iteration (all threads), recorded by the suites through
/// <see cref="CpuTimeRecorder"/>. On an idle machine the wall-clock time is about this divided by the threads used;
/// under load it grows too (libtorch's worker threads spin while they wait for each other), but less than the wall
/// clock, so the ratio of the two says how much the case was slowed by other work.
/// </summary>
public sealed class CpuTimeColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(CpuTimeColumn);

    /// <inheritdoc />
    public string ColumnName => "CPU time";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Statistics;

    /// <inheritdoc />
    public int PriorityInCategory => 10;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Time;

    /// <inheritdoc />
    public string Legend => "Process CPU time per measured iteration, all threads (grows less than the wall clock under load)";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        CpuTimeRecorder.Mean(PeakNativeMemoryColumn.KeyOf(benchmarkCase)) is { } time
            ? time.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture) + " s"
            : "-";

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
