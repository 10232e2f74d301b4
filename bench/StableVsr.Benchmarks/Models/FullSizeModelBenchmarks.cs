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
/// One forward pass of each full-size network of StableVSR on the CPU, built from the real configs with random
/// weights: UNet and ControlNet at LR 32x32 (latent 32x32, 7 input channels, 77 text tokens), VAE decode of a 32x32
/// latent to 128x128, RAFT-large (12 updates) on two 128x128 frames. The reference figures for the original Python
/// implementation (torch 1.13, 2 threads, this machine kind) are UNet 15.1 s, ControlNet 6.4 s, VAE decode 5.5 s,
/// RAFT 0.35 s.
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class FullSizeModelBenchmarks
{
    private const int LowResolution = 32;
    private readonly List<IDisposable> owned = [];
    private UNet2DConditionModel? unet;
    private ControlNetModel? controlNet;
    private AutoencoderKL? vae;
    private Raft? raft;
    private Tensor sample = null!;
    private Tensor timestep = null!;
    private Tensor text = null!;
    private Tensor condition = null!;
    private Tensor latent = null!;
    private Tensor image1 = null!;
    private Tensor image2 = null!;

    [GlobalSetup(Target = nameof(UnetForward))]
    public void SetUpUnet()
    {
        Begin();
        unet = Own(new UNet2DConditionModel(UNet2DConditionConfig.Load(Fixtures.Path("full-size", "unet", "config.json"))));
        unet.eval();
    }

    [GlobalSetup(Target = nameof(ControlNetForward))]
    public void SetUpControlNet()
    {
        Begin();
        controlNet = Own(new ControlNetModel(ControlNetConfig.Load(Fixtures.Path("full-size", "controlnet", "config.json"))));
        controlNet.eval();
    }

    [GlobalSetup(Target = nameof(VaeDecode))]
    public void SetUpVae()
    {
        Begin();
        vae = Own(new AutoencoderKL(AutoencoderKLConfig.Load(Fixtures.Path("full-size", "vae", "config.json"))));
        vae.eval();
    }

    [GlobalSetup(Target = nameof(RaftForward))]
    public void SetUpRaft()
    {
        Begin();
        raft = Own(new Raft());
        raft.eval();
    }

    [Benchmark(Description = "UNet forward, LR 32x32")]
    public void UnetForward()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        unet!.forward(new UNetInput(sample, timestep, text));
    }

    [Benchmark(Description = "ControlNet forward, LR 32x32")]
    public void ControlNetForward()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var output = controlNet!.forward(new ControlNetInput(sample, timestep, text, condition));
    }

    [Benchmark(Description = "VAE decode 32x32 -> 128x128")]
    public void VaeDecode()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        vae!.Decode(latent);
    }

    [Benchmark(Description = "RAFT-large, 128x128, 12 updates")]
    public void RaftForward()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        raft!.EstimateFlow(image1, image2, 12);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        var method = unet is not null ? nameof(UnetForward) : controlNet is not null ? nameof(ControlNetForward) : vae is not null ? nameof(VaeDecode) : nameof(RaftForward);
        PeakMemoryRecorder.End(PeakNativeMemoryColumn.KeyOf(nameof(FullSizeModelBenchmarks), method, string.Empty));
        foreach (var item in owned)
        {
            item.Dispose();
        }

        owned.Clear();
        (unet, controlNet, vae, raft) = (null, null, null, null);
    }

    private T Own<T>(T item)
        where T : IDisposable
    {
        owned.Add(item);
        return item;
    }

    private void Begin()
    {
        PeakMemoryRecorder.Begin();
        var generator = Own(new Generator(1234));
        sample = Own(randn([1, 7, LowResolution, LowResolution], generator: generator));
        timestep = Own(tensor(500L));
        text = Own(randn([1, 77, 1024], generator: generator));
        condition = Own(randn([1, 3, LowResolution * 4, LowResolution * 4], generator: generator));
        latent = Own(randn([1, 4, LowResolution, LowResolution], generator: generator));
        image1 = Own(rand([1, 3, LowResolution * 4, LowResolution * 4], generator: generator).mul(2).sub(1));
        image2 = Own(rand([1, 3, LowResolution * 4, LowResolution * 4], generator: generator).mul(2).sub(1));
    }
}
