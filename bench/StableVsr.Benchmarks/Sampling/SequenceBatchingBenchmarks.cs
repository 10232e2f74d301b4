using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Schedulers;
using StableVsr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>
/// Sampling 4 sequences of 3 frames (tiny model, LR 32x32, 4 DDPM steps) with their frames sharing network calls
/// <see cref="SequencesPerCall"/> sequences at a time, against one sequence at a time (1). Flows are computed once in the setup:
/// RAFT runs per sequence either way, and batching changes only the sampling.
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class SequenceBatchingBenchmarks : MeasuredBenchmark
{
    private const int Sequences = 4;
    private const int FramesPerSequence = 3;
    private StableVsrModels models = null!;
    private SamplingSequence[] sequences = null!;
    private Tensor embeds = null!;
    private NoiseScheduler scheduler = null!;
    private Device device = CPU;

    /// <summary>Sequences whose frames share each UNet/ControlNet/VAE call (1 = sequential).</summary>
    [Params(1, 2, 4)]
    public int SequencesPerCall { get; set; }

    /// <summary>Device the models run on (float32).</summary>
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu-float32";

    /// <summary>float32 backends (see <see cref="BenchmarkBackend.Float32"/>).</summary>
    public static IEnumerable<string> Backends() => BenchmarkBackend.Float32();

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(SequenceBatchingBenchmarks), nameof(SampleSequences), [(nameof(SequencesPerCall), SequencesPerCall), (nameof(Backend), Backend)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        device = BenchmarkBackend.DeviceOf(Backend);
        var computeDevice = device.type == DeviceType.CUDA ? ComputeDevice.Cuda(device.index) : ComputeDevice.Cpu;
        models = new StableVsrModelLoader().LoadAsync(TinyPipeline.Source, computeDevice, PrecisionPolicy.Float32).GetAwaiter().GetResult();
        scheduler = SchedulerFactory.FromConfig(models.SchedulerConfig, new DdpmSchedulerOptions());
        scheduler.SetTimesteps(4);
        using var noGrad = no_grad();
        embeds = Own(models.EncodePrompt(string.Empty).DetachFromDisposeScope());
        var generator = Own(new Generator(5));
        sequences = Enumerable.Range(0, Sequences).Select(c =>
        {
            var frames = Own(rand([FramesPerSequence, 3, 32, 32], generator: generator).mul(2).sub(1).to(device).DetachFromDisposeScope());
            var flows = Own(SequenceFlows.Compute(models.Raft, frames, null, 12, RaftNormStatistics.PerSample, null, ScalarType.Float32, CancellationToken.None));
            return new SamplingSequence(frames, new SeededNoiseSource(c), flows);
        }).ToArray();
    }

    [Benchmark(Description = "Sample 4 sequences x 3 frames, tiny model, LR 32x32, 4 steps")]
    public void SampleSequences()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            var sampler = new BidirectionalSampler(models, noiseLevel: 20);
            foreach (var batch in sequences.Chunk(SequencesPerCall))
            {
                sampler.Sample(batch, embeds, scheduler, null, CancellationToken.None);
            }
        }

        BenchmarkBackend.Synchronize(device);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
        models.Dispose();
    }
}
