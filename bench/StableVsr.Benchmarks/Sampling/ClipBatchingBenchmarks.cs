using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Schedulers;
using StableVsr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>
/// Sampling 4 clips of 3 frames (tiny model, LR 32x32, 4 DDPM steps) with their frames sharing network calls
/// <see cref="ClipsPerCall"/> clips at a time, against one clip at a time (1). Flows are computed once in the setup:
/// RAFT runs per clip either way, and batching changes only the sampling.
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class ClipBatchingBenchmarks : MeasuredBenchmark
{
    private const int Clips = 4;
    private const int FramesPerClip = 3;
    private StableVsrModels models = null!;
    private SamplingClip[] clips = null!;
    private Tensor embeds = null!;
    private INoiseScheduler scheduler = null!;
    private Device device = CPU;

    /// <summary>Clips whose frames share each UNet/ControlNet/VAE call (1 = sequential).</summary>
    [Params(1, 2, 4)]
    public int ClipsPerCall { get; set; }

    /// <summary>Device the models run on (float32).</summary>
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu-float32";

    /// <summary>float32 backends (see <see cref="BenchmarkBackend.Float32"/>).</summary>
    public static IEnumerable<string> Backends() => BenchmarkBackend.Float32();

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(ClipBatchingBenchmarks), nameof(SampleClips), [(nameof(ClipsPerCall), ClipsPerCall), (nameof(Backend), Backend)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        device = BenchmarkBackend.DeviceOf(Backend);
        models = StableVsrModels.Load(Fixtures.Path("tiny-stablevsr"), Fixtures.Path("raft", "raft_large_random.pth"), device, PrecisionPolicy.Float32);
        scheduler = SchedulerFactory.FromConfig(models.SchedulerConfig, SchedulerKind.Ddpm, 0);
        scheduler.SetTimesteps(4);
        using var noGrad = no_grad();
        embeds = Own(models.EncodePrompt(string.Empty).DetachFromDisposeScope());
        var generator = Own(new Generator(5));
        clips = Enumerable.Range(0, Clips).Select(c =>
        {
            var frames = Own(rand([FramesPerClip, 3, 32, 32], generator: generator).mul(2).sub(1).to(device).DetachFromDisposeScope());
            var flows = Own(ClipFlows.Compute(models.Raft, frames, 12, RaftNormStatistics.PerSample, null, ScalarType.Float32, CancellationToken.None));
            return new SamplingClip(frames, new SeededNoiseSource(c), flows);
        }).ToArray();
    }

    [Benchmark(Description = "Sample 4 clips x 3 frames, tiny model, LR 32x32, 4 steps")]
    public void SampleClips()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            var sampler = new BidirectionalSampler(models, noiseLevel: 20);
            foreach (var batch in clips.Chunk(ClipsPerCall))
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
