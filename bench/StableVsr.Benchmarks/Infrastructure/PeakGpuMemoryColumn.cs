using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// "Peak GPU": the highest used memory of GPU 0 while a case ran, sampled through NVML (the whole device as the driver
/// counts it, CUDA context included); "-" where no NVIDIA driver or GPU is present.
/// </summary>
public sealed class PeakGpuMemoryColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(PeakGpuMemoryColumn);

    /// <inheritdoc />
    public string ColumnName => "Peak GPU";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Metric;

    /// <inheritdoc />
    public int PriorityInCategory => 1;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Size;

    /// <inheritdoc />
    public string Legend => "Peak used memory of GPU 0 while the case ran (NVML, sampled every 5 ms; '-' without a GPU)";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        PeakMemoryRecorder.GpuPeak(PeakNativeMemoryColumn.KeyOf(benchmarkCase)) is { } bytes ? PeakMemoryRecorder.Megabytes(bytes) : "-";

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
