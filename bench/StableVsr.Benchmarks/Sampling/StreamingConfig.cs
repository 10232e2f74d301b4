using BenchmarkDotNet.Configs;
using StableVsr.Benchmarks.Infrastructure;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>The heavy in-process configuration plus the streaming suite's own column.</summary>
public sealed class StreamingConfig : ManualConfig
{
    /// <summary>Seconds from the start of a run to its first output frame.</summary>
    public static CaseValues FirstFrame { get; } = new("FirstFrame", "First frame", "Seconds from the start of the run to its first upscaled frame", "F2");

    /// <summary>Adds the column to <see cref="HeavyInProcessConfig"/>.</summary>
    public StreamingConfig()
    {
        Add(new HeavyInProcessConfig());
        AddColumn(FirstFrame);
    }
}
