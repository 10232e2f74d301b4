using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// A column whose values a suite records itself for each case (a time measured inside the operation, a quality figure
/// of its output), keyed like the memory columns (<see cref="PeakNativeMemoryColumn.KeyOf"/>).
/// </summary>
public sealed class CaseValues(string id, string name, string legend, string format) : IColumn
{
    private readonly ConcurrentDictionary<string, double> values = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="value"/> for the case <paramref name="key"/> (the last one recorded is shown).</summary>
    public void Record(string key, double value) => values[key] = value;

    /// <inheritdoc />
    public string Id => id;

    /// <inheritdoc />
    public string ColumnName => name;

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 1;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => legend;

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        values.TryGetValue(PeakNativeMemoryColumn.KeyOf(benchmarkCase), out var value) ? value.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
