using System.Globalization;
using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Raft;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Tests.Support;
using StableVsr.Training.Diffusion;
using StableVsr.Training.Initialization;
using StableVsr.Training.Optimization;
using StableVsr.Training.Randomness;
using StableVsr.Training.Steps;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Training;

/// <summary>
/// One optimizer step of train.py's loop with the full-size networks (real configs, random weights) on 256 px GT crops
/// (64 px LR): the step itself (VAE encodes, the neighbour's UNet prediction, its decode, RAFT-large with 12 updates on the
/// batch, the warp, ControlNet and UNet with autograd, the backward pass), gradient clipping, AdamW and zeroing. The
/// ControlNet (made as <c>from_unet</c> makes it) and its optimizer state are float32; the frozen UNet and VAE run in
/// the backend's dtype, RAFT in float32. <see cref="GradientCheckpointing"/> recomputes the ControlNet's down blocks.
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class TrainingStepBenchmarks : MeasuredBenchmark
{
    private const int GtSize = 256;
    private TrainingStep step = null!;
    private AdamW optimizer = null!;
    private IReadOnlyList<(string Name, Tensor Parameter)> parameters = [];
    private Tensor groundTruth = null!;
    private Tensor lowResolution = null!;
    private Device device = CPU;
    private long batches;
    private string unetConfig = string.Empty;

    /// <summary>Device and dtype of the frozen UNet and VAE ("cpu-float32", "cpu-bfloat16", "cuda-float16", ...).</summary>
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu-float32";

    /// <summary>Windows per batch.</summary>
    [ParamsSource(nameof(BatchSizes))]
    public int BatchSize { get; set; } = 1;

    /// <summary>Whether the ControlNet's down blocks are recomputed in the backward pass.</summary>
    [ParamsSource(nameof(Checkpointing))]
    public bool GradientCheckpointing { get; set; }

    /// <summary>The backends measured (see <see cref="BenchmarkBackend.All"/>).</summary>
    public static IEnumerable<string> Backends() => BenchmarkBackend.All();

    /// <summary>Batch sizes: STABLEVSR_BENCH_BATCHES (comma-separated) when set, else 1 and 2 (train.sh uses 8 per GPU).</summary>
    public static IEnumerable<int> BatchSizes() =>
        Environment.GetEnvironmentVariable("STABLEVSR_BENCH_BATCHES") is { Length: > 0 } chosen
            ? chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(b => int.Parse(b, CultureInfo.InvariantCulture))
            : [1, 2];

    /// <summary>Gradient checkpointing off, and on when STABLEVSR_BENCH_CHECKPOINTING is "1".</summary>
    public static IEnumerable<bool> Checkpointing() =>
        Environment.GetEnvironmentVariable("STABLEVSR_BENCH_CHECKPOINTING") == "1" ? [false, true] : [false];

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(
        nameof(TrainingStepBenchmarks),
        nameof(OptimizerStep),
        [(nameof(Backend), Backend), (nameof(BatchSize), BatchSize.ToString(CultureInfo.InvariantCulture)), (nameof(GradientCheckpointing), GradientCheckpointing.ToString())]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        device = BenchmarkBackend.DeviceOf(Backend);
        var frozen = BenchmarkBackend.TypeOf(Backend);
        // StableVSR's released UNet has no noise-level class embedding (train.py passes no class labels): drop the x4
        // upscaler's from the full-size config, for the UNet and for the ControlNet made from it.
        var unetJson = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Fixtures.Path("full-size", "unet", "config.json")))!.AsObject();
        unetJson["num_class_embeds"] = null;
        unetConfig = Path.Combine(Path.GetTempPath(), $"stablevsr-bench-unet-{Environment.ProcessId}.json");
        File.WriteAllText(unetConfig, unetJson.ToJsonString());
        var unet = Own(new UNet2DConditionModel(UNet2DConditionConfig.Load(unetConfig)));
        InitializeGroupNorms(unet);
        var controlNet = Own(ControlNetFromUnet.Create(ControlNetFromUnet.ConfigJson(unetConfig, [64, 128, 256]), unet, seed: 1));
        controlNet.to(device);
        unet.to(frozen).to(device).eval();
        var vae = Own(new AutoencoderKL(AutoencoderKLConfig.Load(Fixtures.Path("full-size", "vae", "config.json"))));
        InitializeGroupNorms(vae);
        vae.to(frozen).to(device).eval();
        var raft = Own(new Raft());
        raft.to(device);
        raft.NormStatistics = RaftNormStatistics.Batch;
        foreach (var module in new nn.Module[] { unet, vae, raft })
        {
            foreach (var parameter in module.parameters())
            {
                parameter.requires_grad = false;
            }
        }

        parameters = TrainableControlNet.Prepare(controlNet);
        controlNet.GradientCheckpointing = GradientCheckpointing;
        optimizer = Own(new AdamW(parameters, 0.9, 0.999, 1e-2, 1e-8));
        var diffusion = new DiffusionTargets(SchedulerConfig.Load(Fixtures.Path("tiny-stablevsr", "scheduler", "scheduler_config.json")));
        var generator = Own(new Generator(1234));
        var prompt = Own(randn([1, 77, 1024], generator: generator).to(device));
        groundTruth = Own(rand([BatchSize, 3, 3, GtSize, GtSize], generator: generator).to(device));
        lowResolution = Own(nn.functional.avg_pool2d(groundTruth.reshape(BatchSize * 3, 3, GtSize, GtSize), 4).reshape(BatchSize, 3, 3, GtSize / 4, GtSize / 4));
        step = new TrainingStep(new TrainingNetworks(unet, vae, raft, controlNet, diffusion, prompt));
    }

    [Benchmark(Description = "Training step (forward, backward, clip, AdamW)")]
    public void OptimizerStep()
    {
        var randomness = new SeededTrainingRandomness(7);
        var result = step.Run(groundTruth, lowResolution, randomness.ForBatch(batches++));
        if (!result.IsFinite)
        {
            // Without a finite loss there is no backward pass, and the case would time a forward only.
            throw new InvalidOperationException($"The loss of the random-weight networks is {result.Loss}: the step took no backward pass.");
        }

        Console.WriteLine($"// training step loss {result.Loss:G6}, grad norm {GradientClipping.ClipByTotalNorm(parameters.Select(p => p.Parameter), 1.0):G6}");
        optimizer.Step(5e-5);
        optimizer.ZeroGrad();
        BenchmarkBackend.Synchronize(device);
    }

    // TorchSharp 0.107's GroupNorm leaves its weight and bias uninitialised (whatever the memory held: NaN, 1e30), where
    // PyTorch starts them at 1 and 0; with those the random VAE encoder gives NaN and the step would take no backward pass.
    private static void InitializeGroupNorms(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var norm in model.modules().OfType<TorchSharp.Modules.GroupNorm>())
        {
            norm.weight?.fill_(1);
            norm.bias?.zero_();
        }
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
        File.Delete(unetConfig);
    }
}
