using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// "Peak RSS": the process's peak resident memory while a case ran (weights, activations and libtorch's caches),
/// recorded by the suites through <see cref="PeakMemoryRecorder"/> under <see cref="KeyOf"/>.
/// </summary>
public sealed class PeakNativeMemoryColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(PeakNativeMemoryColumn);

    /// <inheritdoc />
    public string ColumnName => "Peak RSS";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Metric;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Size;

    /// <inheritdoc />
    public string Legend => "Peak resident memory of the process while the case ran (includes native libtorch memory)";

    /// <summary>The key a case records its peak under: benchmark type, method and parameter values.</summary>
    public static string KeyOf(string type, string method, string parameters) => $"{type}.{method}({parameters})";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        var descriptor = benchmarkCase.Descriptor;
        var key = KeyOf(descriptor.Type.Name, descriptor.WorkloadMethod.Name, benchmarkCase.Parameters.DisplayInfo);
        return PeakMemoryRecorder.Get(key) is { } bytes
            ? (bytes / 1024.0 / 1024.0).ToString("N0", CultureInfo.InvariantCulture) + " MB"
            : "-";
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
