using StableVsr.Benchmarks.Infrastructure;

namespace StableVsr.Benchmarks.IO;

/// <summary><see cref="HeavyInProcessConfig"/> with a frames-per-second column, for the video file suites.</summary>
public sealed class VideoBenchmarkConfig : BenchmarkDotNet.Configs.ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public VideoBenchmarkConfig()
    {
        Add(new HeavyInProcessConfig());
        AddColumn(new FramesPerSecondColumn());
    }
}
