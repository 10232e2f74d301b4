using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Evaluation;
using StableVsr.Evaluation.Metrics.ClipIqa;
using StableVsr.Evaluation.Metrics.Musiq;
using StableVsr.Evaluation.Metrics.Niqe;
using StableVsr.Evaluation.Running;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Evaluation.NoReference;

/// <summary>
/// What MUSIQ, CLIP-IQA and NIQE cost per output frame at REDS' 1280x720, as the evaluator computes them (one frame per
/// call, as eval.py). MUSIQ and CLIP-IQA have the released checkpoints' full sizes (KonIQ-10k: 384 wide, 14 layers;
/// CLIP RN50) with random weights, since cost does not depend on the values; NIQE uses the shipped pristine model.
/// </summary>
[Config(typeof(LongInProcessConfig))]
public class NoReferenceMetricBenchmarks : MeasuredBenchmark
{
    private MetricEngine engine = null!;
    private SequenceState state = null!;
    private Tensor output = null!;

    /// <summary>The metric measured.</summary>
    [Params(Metric.Musiq, Metric.ClipIqa, Metric.Niqe)]
    public Metric Metric { get; set; }

    /// <summary>Frame size, width x height.</summary>
    [Params("1280x720")]
    public string Size { get; set; } = "1280x720";

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(NoReferenceMetricBenchmarks), nameof(OneFrame), [(nameof(Metric), Metric), (nameof(Size), Size)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        var (width, height) = BenchmarkBackend.SizeOf(Size);
        using var noGrad = no_grad();
        var musiq = Metric == Metric.Musiq ? Randomised(new MusiqModel(MusiqConfig.KonIq)) : null;
        ClipIqaModel? clip = null;
        if (Metric == Metric.ClipIqa)
        {
            clip = Randomised(new ClipIqaModel(ClipIqaConfig.Rn50, ClipIqaConfig.Rn50PoolPositions));
            clip.EncodePrompts();
        }

        var niqe = Metric == Metric.Niqe ? new NiqeScore() : null;
        engine = Own(new MetricEngine([Metric], CPU, null, null, null, padForFlow: false, new NoReferenceMetrics(musiq, clip, niqe)));
        state = Own(new SequenceState());
        var generator = Own(new Generator(7));
        output = Own(rand([1, 3, height, width], generator: generator).DetachFromDisposeScope());
        engine.Step(state, null, output);
    }

    // Parameters some modules leave uninitialised get small normal values (BatchNorm keeps its unit statistics).
    private static T Randomised<T>(T model)
        where T : nn.Module
    {
        using var generator = new Generator(11);
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!name.Contains("bn", StringComparison.Ordinal) && !name.Contains("downsample.1", StringComparison.Ordinal))
            {
                parameter.normal_(0, 0.02, generator);
            }
        }

        model.eval();
        return model;
    }

    [Benchmark(Description = "one output frame")]
    public void OneFrame() => engine.Step(state, null, output);

    [GlobalCleanup]
    public void CleanUp() => ReleaseOwned();
}
