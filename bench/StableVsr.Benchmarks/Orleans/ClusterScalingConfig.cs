using BenchmarkDotNet.Configs;
using StableVsr.Benchmarks.Infrastructure;

namespace StableVsr.Benchmarks.Orleans;

/// <summary>The heavy in-process configuration plus the scaling columns of <see cref="ClusterScalingBenchmarks"/>.</summary>
public sealed class ClusterScalingConfig : ManualConfig
{
    /// <summary>Adds the columns to <see cref="HeavyInProcessConfig"/>.</summary>
    public ClusterScalingConfig()
    {
        Add(new HeavyInProcessConfig());
        AddColumn(
            new ClusterScalingColumn(ClusterScalingColumn.Figure.Ideal),
            new ClusterScalingColumn(ClusterScalingColumn.Figure.SpeedUp),
            new ClusterScalingColumn(ClusterScalingColumn.Figure.Efficiency),
            new ClusterScalingColumn(ClusterScalingColumn.Figure.OverheadPerSegment));
    }
}
