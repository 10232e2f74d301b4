using BenchmarkDotNet.Configs;
using StableVsr.Benchmarks.Infrastructure;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>The heavy in-process configuration plus the warp-error columns of <see cref="WindowBoundaryBenchmarks"/>.</summary>
public sealed class WindowBoundaryConfig : ManualConfig
{
    /// <summary>Mean warp error of the frame pairs that straddle a window boundary.</summary>
    public static CaseValues Boundary { get; } = new("BoundaryWarp", "Boundary warp err", "Mean |frame k - warp(frame k-1)| over pairs where k starts a window of 4 (k = 4, 8), [0, 1] scale", "F5");

    /// <summary>Mean warp error of the other frame pairs.</summary>
    public static CaseValues Interior { get; } = new("InteriorWarp", "Interior warp err", "Mean |frame k - warp(frame k-1)| over the other pairs, [0, 1] scale", "F5");

    /// <summary>Adds the columns to <see cref="HeavyInProcessConfig"/>.</summary>
    public WindowBoundaryConfig()
    {
        Add(new HeavyInProcessConfig());
        AddColumn(Boundary, Interior);
    }
}
