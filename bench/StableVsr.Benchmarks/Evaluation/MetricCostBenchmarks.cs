using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Evaluation;
using StableVsr.Evaluation.Metrics;
using StableVsr.Evaluation.Running;
using StableVsr.Models.Raft;
using StableVsr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Evaluation;

/// <summary>
/// What each metric costs per frame at REDS' 1280x720, as the evaluator computes it (one frame pair per call, the
/// sequence's previous frame already kept, so the temporal metrics do their full work). The networks have the real
/// architectures with random weights: the fixture's AlexNet and VGG16 backbones (real heads), RAFT-large freshly
/// initialised; cost does not depend on the values.
/// </summary>
[Config(typeof(LongInProcessConfig))]
public class MetricCostBenchmarks : MeasuredBenchmark
{
    private MetricEngine engine = null!;
    private SequenceState state = null!;
    private Tensor groundTruth = null!;
    private Tensor output = null!;

    /// <summary>The metric measured.</summary>
    [Params(Metric.Psnr, Metric.Ssim, Metric.Lpips, Metric.Dists, Metric.TLpips, Metric.Tof)]
    public Metric Metric { get; set; }

    /// <summary>Frame size, width x height.</summary>
    [Params("1280x720")]
    public string Size { get; set; } = "1280x720";

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(MetricCostBenchmarks), nameof(OneFrame), [(nameof(Metric), Metric), (nameof(Size), Size)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        var (width, height) = BenchmarkBackend.SizeOf(Size);
        var lpips = Metric is Metric.Lpips or Metric.TLpips ? Lpips.Load(Fixtures.Path("metrics", "alexnet_features_random.pth")) : null;
        var dists = Metric is Metric.Dists ? Dists.Load(Fixtures.Path("metrics", "vgg16_features_random.pth")) : null;
        var raft = Metric is Metric.Tof ? new Raft() : null;
        engine = Own(new MetricEngine([Metric], CPU, lpips, dists, raft, padForFlow: false));
        state = Own(new SequenceState());
        var generator = Own(new Generator(7));
        groundTruth = Own(rand([1, 3, height, width], generator: generator).DetachFromDisposeScope());
        output = Own(rand([1, 3, height, width], generator: generator).DetachFromDisposeScope());
        engine.Step(state, groundTruth, output);
    }

    [Benchmark(Description = "one frame pair")]
    public void OneFrame() => engine.Step(state, output, groundTruth);

    [GlobalCleanup]
    public void CleanUp() => ReleaseOwned();
}
