using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// Configuration for suites whose single operation takes seconds (full-size model forwards): in process, so the
/// TorchSharp native library patched by the build is the one loaded (BenchmarkDotNet's default toolchain would build
/// a separate project with an unpatched copy), one warm-up and a few measured iterations of one invocation each (both
/// set by environment variables), managed allocations, CPU time per iteration and the peak host (resident) and GPU
/// memory columns.
/// </summary>
public sealed class HeavyInProcessConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public HeavyInProcessConfig()
    {
        AddJob(Job.Default
            // A full-size training step takes minutes on a loaded 2-core CPU: the in-process default timeout (5 min) is too short.
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(2), logOutput: true))
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(WarmupCount)
            .WithIterationCount(IterationCount)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new CpuTimeColumn(), new AchievedGflopsColumn(), new PeakNativeMemoryColumn(), new PeakNativeMemoryColumn(rise: true), new PeakGpuMemoryColumn());
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }

    /// <summary>Warm-up iterations: STABLEVSR_BENCH_WARMUPS, default 1 (0 skips it for long single runs).</summary>
    public static int WarmupCount =>
        int.TryParse(Environment.GetEnvironmentVariable("STABLEVSR_BENCH_WARMUPS"), out var n) && n >= 0 ? n : 1;

    /// <summary>Measured iterations: STABLEVSR_BENCH_ITERATIONS, default 3.</summary>
    public static int IterationCount =>
        int.TryParse(Environment.GetEnvironmentVariable("STABLEVSR_BENCH_ITERATIONS"), out var n) && n > 0 ? n : 3;
}
