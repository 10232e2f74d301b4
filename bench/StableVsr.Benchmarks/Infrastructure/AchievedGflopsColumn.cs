using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// "GFLOP/s": the floating-point operations of one operation divided by its mean wall-clock time. The operation counts
/// are those of the reference (diffusers 0.21.1 / torchvision) at LR 32x32, counted by intercepting its convolutions and
/// matrix products: UNet 75.5 GFLOP, ControlNet 29.7, VAE decode to 4x 161.2, RAFT-large at 4x 25.9 per pair. Cases at
/// other sizes show "-" rather than an extrapolation (attention does not scale linearly with the pixel count).
/// </summary>
public sealed class AchievedGflopsColumn : IColumn
{
    private const double Unet = 75.5;
    private const double ControlNet = 29.7;
    private const double VaeDecode = 161.2;
    private const double RaftPair = 25.9;

    /// <summary>GFLOP of one operation of each (suite, method) at LR 32x32.</summary>
    private static readonly Dictionary<(string Suite, string Method), double> Operations = new()
    {
        [("FullSizeModelBenchmarks", "UnetForward")] = Unet,
        [("FullSizeModelBenchmarks", "ControlNetForward")] = ControlNet,
        [("FullSizeModelBenchmarks", "VaeDecode")] = VaeDecode,
        [("FullSizeModelBenchmarks", "RaftForward")] = RaftPair,
        [("DenoisingStepBenchmarks", "DenoiseFrame")] = VaeDecode + ControlNet + Unet,
        [("RaftBenchmarks", "TwoCalls")] = 2 * RaftPair,
        [("RaftBenchmarks", "OneBatchedCall")] = 2 * RaftPair,
    };

    /// <inheritdoc />
    public string Id => nameof(AchievedGflopsColumn);

    /// <inheritdoc />
    public string ColumnName => "GFLOP/s";

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
    public string Legend => "Reference GFLOP of one operation at LR 32x32 divided by its mean time ('-': not counted for this case)";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        var size = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "LowResolution")?.Value as string ?? "32x32";
        var key = (benchmarkCase.Descriptor.Type.Name, benchmarkCase.Descriptor.WorkloadMethod.Name);
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return size == "32x32" && Operations.TryGetValue(key, out var gflop) && mean is > 0
            ? (gflop / (mean.Value / 1e9)).ToString("F1", CultureInfo.InvariantCulture)
            : "-";
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
