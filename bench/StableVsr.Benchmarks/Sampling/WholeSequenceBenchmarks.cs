using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Pipeline;
using StableVsr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>
/// A whole sequence through the pipeline as one window (RAFT flows, bidirectional sampling, final decode) with the fixtures' tiny
/// StableVSR checkpoint and random RAFT-large, LR 32x32 frames, 2 DDPM steps, for sequences of 5, 20 and 100 frames: the
/// peak memory columns show how memory grows with sequence length, with flows in float32 or float16 (<see cref="HalfFlows"/>).
/// With <see cref="HostState"/> the per-frame state (LR frames, latents, flows, finished frames) is kept in host memory,
/// which on a GPU keeps device memory flat in sequence length (on the CPU both settings are the same memory).
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class WholeSequenceBenchmarks : MeasuredBenchmark
{
    private StableVsrPipeline pipeline = null!;
    private Tensor frames = null!;

    /// <summary>Frames in the sequence.</summary>
    [Params(5, 20, 100)]
    public int Frames { get; set; }

    /// <summary>Device the models run on (float32, the pipeline's default precision).</summary>
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu-float32";

    /// <summary>Keep per-frame state in host memory (<see cref="UpscaleOptions.StateDevice"/> "cpu") instead of on the device.</summary>
    [ParamsSource(nameof(HostStates))]
    public bool HostState { get; set; }

    /// <summary>Keep optical flows in float16 (<see cref="UpscaleOptions.HalfPrecisionFlows"/>).</summary>
    [Params(false, true)]
    public bool HalfFlows { get; set; }

    /// <summary>float32 backends (see <see cref="BenchmarkBackend.Float32"/>).</summary>
    public static IEnumerable<string> Backends() => BenchmarkBackend.Float32();

    /// <summary>Both placements where a GPU is present; on the CPU they coincide, so only the default.</summary>
    public static IEnumerable<bool> HostStates() => cuda.is_available() ? [false, true] : [false];

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(WholeSequenceBenchmarks), nameof(UpscaleSequence), [(nameof(Frames), Frames), (nameof(Backend), Backend), (nameof(HostState), HostState), (nameof(HalfFlows), HalfFlows)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        var device = BenchmarkBackend.DeviceOf(Backend).type == DeviceType.CUDA ? ComputeDevice.Cuda() : ComputeDevice.Cpu;
        // One window of the whole sequence: StableVSR's own sampling, to compare with the windowed StreamingBenchmarks.
        var options = UpscaleOptions.Default with { Device = device, StateDevice = HostState ? ComputeDevice.Cpu : null, Sampling = SamplingOptions.Default with { Steps = 2, WindowSize = Frames, HalfPrecisionFlows = HalfFlows } };
        var models = new StableVsrModelLoader().LoadAsync(TinyPipeline.Source, device, options.Precision).GetAwaiter().GetResult();
        pipeline = Own(new StableVsrPipeline(models, options));
        frames = Own(rand([Frames, 3, 32, 32], generator: Own(new Generator(17))).mul(2).sub(1).DetachFromDisposeScope());
    }

    [Benchmark(Description = "Whole sequence, tiny model, LR 32x32, 2 steps")]
    public void UpscaleSequence() => pipeline.Upscale(frames).Dispose();

    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
    }
}
