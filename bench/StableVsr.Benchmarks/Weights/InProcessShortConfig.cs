using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace StableVsr.Benchmarks.Weights;

/// <summary>
/// A short in-process job (one warm-up, three measured loads): in process because BenchmarkDotNet's default
/// toolchain builds a separate project whose copy of libLibTorchSharp is not patched to load here, and short
/// because each operation moves gigabytes.
/// </summary>
internal sealed class InProcessShortConfig : ManualConfig
{
    public InProcessShortConfig()
    {
        AddJob(Job.Dry
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("InProcessShort"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new PeakRssColumn(extraOnly: false), new PeakRssColumn(extraOnly: true));
    }
}
