using BenchmarkDotNet.Configs;
using StableVsr.Benchmarks.Infrastructure;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>The heavy in-process configuration plus the warp-error columns of <see cref="SegmentBorderWarpBenchmarks"/>.</summary>
public sealed class SegmentBorderWarpConfig : ManualConfig
{
    /// <summary>Mean warp error of the frame pairs that straddle a segment border.</summary>
    public static CaseValues Border { get; } = new("BorderWarp", "Border warp err", "Mean |frame k - warp(frame k-1)| over pairs where k starts a segment of 4 (k = 4, 8), [0, 1] scale", "F5");

    /// <summary>Mean warp error of the other frame pairs.</summary>
    public static CaseValues Interior { get; } = new("SegmentInteriorWarp", "Interior warp err", "Mean |frame k - warp(frame k-1)| over the other pairs, [0, 1] scale", "F5");

    /// <summary>Largest difference of the case's frames from the unsplit run's.</summary>
    public static CaseValues FromUnsplit { get; } = new("FromUnsplit", "Max diff from unsplit", "max |frame - unsplit run's frame| over all frames, [0, 1] scale", "F4");

    /// <summary>Adds the columns to <see cref="HeavyInProcessConfig"/>.</summary>
    public SegmentBorderWarpConfig()
    {
        Add(new HeavyInProcessConfig());
        AddColumn(Border, Interior, FromUnsplit);
    }
}
