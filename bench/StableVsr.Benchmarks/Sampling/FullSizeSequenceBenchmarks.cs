using System.Globalization;
using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Models.Clip;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Loading;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Sampling.Pipeline;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;
using RaftModel = StableVsr.Models.Raft.Raft;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>
/// A whole sequence through the pipeline with the FULL-SIZE networks (real configs, random weights; RAFT-large freshly
/// initialised), as one window, at the GPU target's size (LR 320x180 to 1280x720 with STABLEVSR_BENCH_SIZES): RAFT
/// flows, bidirectional sampling for STABLEVSR_BENCH_STEPS steps (default 2: the per-step cost is the denoising-step
/// suite's), final decode. Per-frame state on the device or, with <see cref="HostState"/>, in host memory: the "Peak
/// GPU" column for 5 and 20 frames says whether device memory stays flat in the sequence length. The text encoder is
/// never run (the prompt embedding is given), so the fixtures' tiny one stands in for it.
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class FullSizeSequenceBenchmarks : MeasuredBenchmark
{
    private StableVsrPipeline pipeline = null!;
    private Tensor frames = null!;
    private Tensor embeds = null!;

    /// <summary>Frames in the sequence.</summary>
    [ParamsSource(nameof(FrameCounts))]
    public int Frames { get; set; }

    /// <summary>Device and dtype of the UNet and ControlNet ("cuda-float16" is <see cref="PrecisionPolicy.HalfOnGpu"/>).</summary>
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu-float32";

    /// <summary>Low-resolution frame size "WxH".</summary>
    [ParamsSource(nameof(Sizes))]
    public string LowResolution { get; set; } = "32x32";

    /// <summary>Keep per-frame state in host memory (<see cref="UpscaleOptions.StateDevice"/> "cpu") instead of on the device.</summary>
    [ParamsSource(nameof(HostStates))]
    public bool HostState { get; set; }

    /// <summary>Sequence lengths: STABLEVSR_BENCH_SEQUENCE_FRAMES (comma-separated), default 5 and 20.</summary>
    public static IEnumerable<int> FrameCounts() =>
        Environment.GetEnvironmentVariable("STABLEVSR_BENCH_SEQUENCE_FRAMES") is { Length: > 0 } chosen
            ? chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => int.Parse(n, CultureInfo.InvariantCulture))
            : [5, 20];

    /// <summary>The backends measured (see <see cref="BenchmarkBackend.All"/>).</summary>
    public static IEnumerable<string> Backends() => BenchmarkBackend.All();

    /// <summary>The frame sizes measured (see <see cref="BenchmarkBackend.Sizes"/>).</summary>
    public static IEnumerable<string> Sizes() => BenchmarkBackend.Sizes();

    /// <summary>Both placements where a GPU is present; on the CPU they coincide, so only the default.</summary>
    public static IEnumerable<bool> HostStates() => cuda.is_available() ? [false, true] : [false];

    /// <summary>Denoising steps: STABLEVSR_BENCH_STEPS, default 2.</summary>
    public static int Steps =>
        int.TryParse(Environment.GetEnvironmentVariable("STABLEVSR_BENCH_STEPS"), out var n) && n > 0 ? n : 2;

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(FullSizeSequenceBenchmarks), nameof(UpscaleSequence), [(nameof(Frames), Frames), (nameof(Backend), Backend), (nameof(LowResolution), LowResolution), (nameof(HostState), HostState)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        var device = BenchmarkBackend.DeviceOf(Backend);
        var dtype = BenchmarkBackend.TypeOf(Backend);
        var precision = dtype switch
        {
            ScalarType.Float16 => PrecisionPolicy.HalfOnGpu,
            ScalarType.BFloat16 => PrecisionPolicy.BFloat16Denoiser,
            _ => PrecisionPolicy.Float32,
        };
        var unet = new UNet2DConditionModel(UNet2DConditionConfig.Load(Fixtures.Path("full-size", "unet", "config.json")));
        var controlNet = new ControlNetModel(ControlNetConfig.Load(Fixtures.Path("full-size", "controlnet", "config.json")));
        var vae = new AutoencoderKL(AutoencoderKLConfig.Load(Fixtures.Path("full-size", "vae", "config.json")));
        var raft = new RaftModel();
        unet.to(dtype).to(device).eval();
        controlNet.to(dtype).to(device).eval();
        vae.to(device).eval();
        raft.to(device);
        var textEncoder = ClipTextModel.FromPretrained(Fixtures.Path("text_encoder"));
        var models = new StableVsrModels(
            unet,
            controlNet,
            vae,
            raft,
            textEncoder,
            ClipTokenizer.FromFolder(Fixtures.Path("tokenizer")),
            SchedulerConfig.Load(Fixtures.Path("tiny-stablevsr", "scheduler", "scheduler_config.json")),
            device,
            precision);
        var compute = device.type == DeviceType.CUDA ? ComputeDevice.Cuda() : ComputeDevice.Cpu;
        var options = UpscaleOptions.Default with
        {
            Sampling = SamplingOptions.Default with { Steps = Steps, WindowSize = Frames },
            Device = compute,
            Precision = precision,
            StateDevice = HostState ? ComputeDevice.Cpu : null,
        };
        pipeline = Own(new StableVsrPipeline(models, options));
        var (width, height) = BenchmarkBackend.SizeOf(LowResolution);
        var generator = Own(new Generator(17));
        frames = Own(rand([Frames, 3, height, width], generator: generator).mul(2).sub(1).DetachFromDisposeScope());
        embeds = Own(randn([1, 77, unet.Config.CrossAttentionDim[0]], generator: generator).DetachFromDisposeScope());
    }

    [Benchmark(Description = "Whole sequence, full-size networks, one window")]
    public void UpscaleSequence() => pipeline.Upscale(frames, promptEmbeds: embeds).Dispose();

    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
    }
}
