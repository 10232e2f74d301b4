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
/// <see cref="NetworksOfTheStep"/> runs the same three network calls on the same instances and inputs with nothing
/// between them, in the same run: the step's time less theirs is what the sampler spends outside the networks.
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class DenoisingStepBenchmarks : MeasuredBenchmark
{
    private const int Steps = 50;
    private GuidedDenoiser denoiser = null!;
    private UNet2DConditionModel unet = null!;
    private ControlNetModel controlNet = null!;
    private AutoencoderKL vae = null!;
    private Tensor embeds = null!;
    private Tensor modelInput = null!;
    private Tensor guidanceImage = null!;
    private Tensor scaledX0 = null!;
    private Tensor? classLabels;
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
    protected override string Key => PeakMemoryRecorder.Key(nameof(DenoisingStepBenchmarks), method, [(nameof(Backend), Backend), (nameof(LowResolution), LowResolution)]);

    private string method = nameof(DenoiseFrame);

    [GlobalSetup(Target = nameof(DenoiseFrame))]
    public void SetUpStep() => SetUp(nameof(DenoiseFrame));

    [GlobalSetup(Target = nameof(NetworksOfTheStep))]
    public void SetUpNetworks() => SetUp(nameof(NetworksOfTheStep));

    private void SetUp(string benchmark)
    {
        method = benchmark;
        PeakMemoryRecorder.Begin();
        device = BenchmarkBackend.DeviceOf(Backend);
        var dtype = BenchmarkBackend.TypeOf(Backend);
        unet = Own(new UNet2DConditionModel(UNet2DConditionConfig.Load(Fixtures.Path("full-size", "unet", "config.json"))));
        controlNet = Own(new ControlNetModel(ControlNetConfig.Load(Fixtures.Path("full-size", "controlnet", "config.json"))));
        vae = Own(new AutoencoderKL(AutoencoderKLConfig.Load(Fixtures.Path("full-size", "vae", "config.json"))));
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
        embeds = Input(randn([1, 77, unet.Config.CrossAttentionDim[0]], generator: generator));
        denoiser = Own(new GuidedDenoiser(unet, controlNet, vae, embeds, noiseLevel: 20));
        latents = Input(randn([1, 4, height, width], generator: generator));
        previousX0 = Input(randn([1, 4, height, width], generator: generator).mul(vae.ScalingFactor));
        lowResolution = Input(rand([1, 3, height, width], generator: generator).mul(2).sub(1));
        flow = Input(randn([1, height * 4, width * 4, 2], generator: generator).mul(2));
        variance = Input(randn([1, 4, height, width], generator: generator));

        // The networks' own inputs, made once: what the step hands them, already in their dtypes.
        embeds = Own(embeds.to(dtype).DetachFromDisposeScope());
        modelInput = Own(randn([1, 7, height, width], generator: generator).to(dtype, device).DetachFromDisposeScope());
        guidanceImage = Own(rand([1, 3, height * 4, width * 4], generator: generator).mul(2).sub(1).to(dtype, device).DetachFromDisposeScope());
        scaledX0 = Own(previousX0.div(vae.ScalingFactor).DetachFromDisposeScope());
        classLabels = unet.Config.NumClassEmbeds is null ? null : Own(tensor(new long[] { 20 }, ScalarType.Int64, device));
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

    [Benchmark(Description = "The step's three network calls alone (VAE decode + ControlNet + UNet with residuals)")]
    public void NetworksOfTheStep()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            vae.Decode(scaledX0);
            using var residuals = controlNet.forward(new ControlNetInput(modelInput, timestep, embeds, guidanceImage, ClassLabels: classLabels));
            unet.forward(new UNetInput(modelInput, timestep, embeds, classLabels, residuals.DownResiduals, residuals.MidResidual));
        }

        BenchmarkBackend.Synchronize(device);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
    }
}
