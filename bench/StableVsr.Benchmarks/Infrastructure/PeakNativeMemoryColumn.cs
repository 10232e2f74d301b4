using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// "Peak RSS": the process's peak resident memory while a case ran (weights, activations and libtorch's caches), or
/// with <c>rise</c> "RSS rise": how far it rose above what was resident when the case started measuring (for a suite
/// that measures each iteration, the memory one operation adds), recorded by the suites through
/// <see cref="PeakMemoryRecorder"/>.
/// </summary>
public sealed class PeakNativeMemoryColumn(bool rise = false) : IColumn
{
    /// <inheritdoc />
    public string Id => rise ? "PeakNativeMemoryRise" : nameof(PeakNativeMemoryColumn);

    /// <inheritdoc />
    public string ColumnName => rise ? "RSS rise" : "Peak RSS";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Metric;

    /// <inheritdoc />
    public int PriorityInCategory => rise ? 1 : 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Size;

    /// <inheritdoc />
    public string Legend => rise
        ? "Largest rise of resident memory over what was resident when the case started measuring (per iteration in suites that measure each one)"
        : "Peak resident memory of the process while the case ran (includes native libtorch memory)";

    /// <summary>The recorder key of a case (see <see cref="PeakMemoryRecorder.Key"/>).</summary>
    public static string KeyOf(BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        var descriptor = benchmarkCase.Descriptor;
        return PeakMemoryRecorder.Key(
            descriptor.Type.Name,
            descriptor.WorkloadMethod.Name,
            benchmarkCase.Parameters.Items.Select(p => (p.Name, (object?)p.Value)));
    }

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        (rise ? PeakMemoryRecorder.HostRise(KeyOf(benchmarkCase)) : PeakMemoryRecorder.HostPeak(KeyOf(benchmarkCase))) is { } bytes ? PeakMemoryRecorder.Megabytes(bytes) : "-";

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
