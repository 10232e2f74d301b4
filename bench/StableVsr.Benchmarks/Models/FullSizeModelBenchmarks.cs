using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Raft;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Models;

/// <summary>
/// One forward pass of each full-size network of StableVSR, built from the real configs with random weights, per
/// backend (device and dtype) and low-resolution frame size: UNet and ControlNet at the LR size (7 input channels, 77
/// text tokens), VAE decode of an LR-sized latent to 4x, RAFT-large (12 updates) on two 4x frames. Their operation
/// counts at LR 32x32 (see <see cref="AchievedGflopsColumn"/>) give the achieved GFLOP/s.
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class FullSizeModelBenchmarks : MeasuredBenchmark
{
    private UNet2DConditionModel? unet;
    private ControlNetModel? controlNet;
    private AutoencoderKL? vae;
    private Raft? raft;
    private Device device = CPU;
    private Tensor sample = null!;
    private Tensor timestep = null!;
    private Tensor noiseLevel = null!;
    private Tensor text = null!;
    private Tensor condition = null!;
    private Tensor latent = null!;
    private Tensor image1 = null!;
    private Tensor image2 = null!;
    private string method = string.Empty;

    /// <summary>Device and dtype of the network ("cpu-float32", "cpu-bfloat16", "cuda-float16", ...).</summary>
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu-float32";

    /// <summary>Low-resolution frame size "WxH".</summary>
    [ParamsSource(nameof(Sizes))]
    public string LowResolution { get; set; } = "32x32";

    /// <summary>The backends measured (see <see cref="BenchmarkBackend.All"/>).</summary>
    public static IEnumerable<string> Backends() => BenchmarkBackend.All();

    /// <summary>The frame sizes measured (see <see cref="BenchmarkBackend.Sizes"/>).</summary>
    public static IEnumerable<string> Sizes() => BenchmarkBackend.Sizes();

    [GlobalSetup(Target = nameof(UnetForward))]
    public void SetUpUnet()
    {
        Begin(nameof(UnetForward));
        unet = Place(new UNet2DConditionModel(UNet2DConditionConfig.Load(Fixtures.Path("full-size", "unet", "config.json"))));
    }

    [GlobalSetup(Target = nameof(ControlNetForward))]
    public void SetUpControlNet()
    {
        Begin(nameof(ControlNetForward));
        controlNet = Place(new ControlNetModel(ControlNetConfig.Load(Fixtures.Path("full-size", "controlnet", "config.json"))));
    }

    [GlobalSetup(Target = nameof(VaeDecode))]
    public void SetUpVae()
    {
        Begin(nameof(VaeDecode));
        vae = Place(new AutoencoderKL(AutoencoderKLConfig.Load(Fixtures.Path("full-size", "vae", "config.json"))));
    }

    [GlobalSetup(Target = nameof(RaftForward))]
    public void SetUpRaft()
    {
        Begin(nameof(RaftForward));
        raft = Place(new Raft());
    }

    [Benchmark(Description = "UNet forward")]
    public void UnetForward()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            unet!.forward(new UNetInput(sample, timestep, text, unet.Config.NumClassEmbeds is null ? null : noiseLevel));
        }

        BenchmarkBackend.Synchronize(device);
    }

    [Benchmark(Description = "ControlNet forward")]
    public void ControlNetForward()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            controlNet!.forward(new ControlNetInput(sample, timestep, text, condition, ClassLabels: controlNet.Config.NumClassEmbeds is null ? null : noiseLevel)).Dispose();
        }

        BenchmarkBackend.Synchronize(device);
    }

    [Benchmark(Description = "VAE decode to 4x")]
    public void VaeDecode()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            vae!.Decode(latent);
        }

        BenchmarkBackend.Synchronize(device);
    }

    [Benchmark(Description = "RAFT-large at 4x, 12 updates")]
    public void RaftForward()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            raft!.EstimateFlow(image1, image2, 12);
        }

        BenchmarkBackend.Synchronize(device);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
        (unet, controlNet, vae, raft) = (null, null, null, null);
    }

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(FullSizeModelBenchmarks), method, [(nameof(Backend), Backend), (nameof(LowResolution), LowResolution)]);

    private T Place<T>(T model)
        where T : nn.Module
    {
        Own(model);
        model.to(BenchmarkBackend.TypeOf(Backend)).to(device).eval();
        return model;
    }

    private void Begin(string benchmark)
    {
        method = benchmark;
        PeakMemoryRecorder.Begin();
        device = BenchmarkBackend.DeviceOf(Backend);
        var dtype = BenchmarkBackend.TypeOf(Backend);
        var (width, height) = BenchmarkBackend.SizeOf(LowResolution);
        var generator = Own(new Generator(1234));
        Tensor Input(Tensor cpu) => Own(cpu.to(dtype, device));
        sample = Input(randn([1, 7, height, width], generator: generator));
        timestep = Own(tensor(500L, device: device));
        noiseLevel = Own(tensor(new long[] { 20 }, device: device));
        text = Input(randn([1, 77, 1024], generator: generator));
        condition = Input(randn([1, 3, height * 4, width * 4], generator: generator));
        latent = Input(randn([1, 4, height, width], generator: generator));
        image1 = Input(rand([1, 3, height * 4, width * 4], generator: generator).mul(2).sub(1));
        image2 = Input(rand([1, 3, height * 4, width * 4], generator: generator).mul(2).sub(1));
    }
}
