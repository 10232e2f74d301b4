using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Schedulers;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>
/// One denoising step of one frame with the full-size networks (real configs, random weights), exactly the work the
/// sampler does for every frame but the first of a pass: decode the previous frame's predicted x0 with the VAE, warp it
/// with the flow, run the ControlNet and the UNet, take the DDPM step (50-step schedule, a middle timestep). The UNet
/// and ControlNet run in the backend's dtype, the VAE in float32 (the pipeline's rule). At LR 32x32 the step is 266.4
/// GFLOP of the reference's convolutions and matrix products (UNet 75.5, ControlNet 29.7, VAE decode 161.2).
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class DenoisingStepBenchmarks : MeasuredBenchmark
{
    private const int Steps = 50;
    private GuidedDenoiser denoiser = null!;
    private NoiseScheduler scheduler = null!;
    private Device device = CPU;
    private long t;
    private Tensor timestep = null!;
    private Tensor latents = null!;
    private Tensor lowResolution = null!;
    private Tensor previousX0 = null!;
    private Tensor flow = null!;
    private Tensor variance = null!;

    /// <summary>Device and dtype of the UNet and ControlNet ("cpu-float32", "cpu-bfloat16", "cuda-float16", ...).</summary>
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu-float32";

    /// <summary>Low-resolution frame size "WxH".</summary>
    [ParamsSource(nameof(Sizes))]
    public string LowResolution { get; set; } = "32x32";

    /// <summary>The backends measured (see <see cref="BenchmarkBackend.All"/>).</summary>
    public static IEnumerable<string> Backends() => BenchmarkBackend.All();

    /// <summary>The frame sizes measured (see <see cref="BenchmarkBackend.Sizes"/>).</summary>
    public static IEnumerable<string> Sizes() => BenchmarkBackend.Sizes();

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(DenoisingStepBenchmarks), nameof(DenoiseFrame), [(nameof(Backend), Backend), (nameof(LowResolution), LowResolution)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        device = BenchmarkBackend.DeviceOf(Backend);
        var dtype = BenchmarkBackend.TypeOf(Backend);
        var unet = Own(new UNet2DConditionModel(UNet2DConditionConfig.Load(Fixtures.Path("full-size", "unet", "config.json"))));
        var controlNet = Own(new ControlNetModel(ControlNetConfig.Load(Fixtures.Path("full-size", "controlnet", "config.json"))));
        var vae = Own(new AutoencoderKL(AutoencoderKLConfig.Load(Fixtures.Path("full-size", "vae", "config.json"))));
        unet.to(dtype).to(device).eval();
        controlNet.to(dtype).to(device).eval();
        vae.to(device).eval();

        scheduler = SchedulerFactory.FromConfig(SchedulerConfig.Load(Fixtures.Path("tiny-stablevsr", "scheduler", "scheduler_config.json")), new DdpmSchedulerOptions());
        scheduler.SetTimesteps(Steps);
        t = scheduler.Timesteps[Steps / 2];
        timestep = Own(tensor(t, ScalarType.Int64, device));

        var (width, height) = BenchmarkBackend.SizeOf(LowResolution);
        var generator = Own(new Generator(1234));
        Tensor Input(Tensor cpu) => Own(cpu.to(device));
        using var embeds = randn([1, 77, unet.Config.CrossAttentionDim[0]], generator: generator).to(device);
        denoiser = Own(new GuidedDenoiser(unet, controlNet, vae, embeds, noiseLevel: 20));
        latents = Input(randn([1, 4, height, width], generator: generator));
        previousX0 = Input(randn([1, 4, height, width], generator: generator).mul(vae.ScalingFactor));
        lowResolution = Input(rand([1, 3, height, width], generator: generator).mul(2).sub(1));
        flow = Input(randn([1, height * 4, width * 4, 2], generator: generator).mul(2));
        variance = Input(randn([1, 4, height, width], generator: generator));
    }

    [Benchmark(Description = "Denoising step of one frame (VAE decode + warp + ControlNet + UNet + DDPM)")]
    public void DenoiseFrame()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            var guidance = denoiser.Guidance(previousX0, flow);
            var step = denoiser.Step(scheduler, t, timestep, latents, lowResolution, guidance, variance);
            step.PrevSample.Dispose();
            step.PredOriginalSample.Dispose();
        }

        BenchmarkBackend.Synchronize(device);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
    }
}
