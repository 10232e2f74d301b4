using System.Collections.Concurrent;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StableVsr.Benchmarks.Weights;

/// <summary>
/// Shows peak resident memory measured by the benchmark itself (in process): the largest VmHWM rise over the
/// resident size before an iteration, and the absolute peak, in MiB.
/// </summary>
internal sealed class PeakRssColumn(bool extraOnly) : IColumn
{
    /// <summary>Per benchmark method: (peak rise over the pre-iteration resident size, absolute peak), in bytes.</summary>
    public static ConcurrentDictionary<string, (long Extra, long Peak)> Measured { get; } = new();

    public string Id => extraOnly ? "PeakRssExtra" : "PeakRss";

    public string ColumnName => extraOnly ? "Peak RSS over model" : "Peak RSS";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => extraOnly ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Size;

    public string Legend => extraOnly
        ? "Largest rise of peak resident memory (VmHWM) during one load, over the resident size before it (the model's own parameters)"
        : "Peak resident memory (VmHWM) of the process during loads, model parameters included";

    public static void Record(string method, long extra, long peak) =>
        Measured.AddOrUpdate(method, (extra, peak), (_, old) => (Math.Max(old.Extra, extra), Math.Max(old.Peak, peak)));

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        Measured.TryGetValue(benchmarkCase.Descriptor.WorkloadMethod.Name, out var m)
            ? $"{(extraOnly ? m.Extra : m.Peak) / (1024.0 * 1024.0):F0} MiB"
            : "n/a";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
