using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StableVsr.Benchmarks.Infrastructure;

namespace StableVsr.Benchmarks.Evaluation;

/// <summary>
/// <see cref="HeavyInProcessConfig"/> with room for operations of minutes (RAFT-large on 1280x720 frames, whole
/// sequences with every metric): BenchmarkDotNet's in-process toolchain otherwise gives up on a case after 5 minutes.
/// </summary>
public sealed class LongInProcessConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public LongInProcessConfig()
    {
        AddJob(Job.Default
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(60), logOutput: true))
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(HeavyInProcessConfig.WarmupCount)
            .WithIterationCount(HeavyInProcessConfig.IterationCount)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new CpuTimeColumn(), new PeakNativeMemoryColumn(), new PeakGpuMemoryColumn());
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}
