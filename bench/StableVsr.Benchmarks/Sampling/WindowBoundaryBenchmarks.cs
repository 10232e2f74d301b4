using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Models.Runtime;
using StableVsr.Sampling.Flow;
using StableVsr.Sampling.Pipeline;
using StableVsr.Tests.Support;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>
/// Temporal consistency at window boundaries against inside windows, and the time a windowed run costs against the
/// whole-sequence one: a 12-frame moving scene (tiny model, LR 32x32, 4 steps) sampled whole, in windows of 4 with the
/// guidance carried across boundaries, and in independent windows of 4. For each run the warp error between
/// consecutive output frames (frame k-1 warped onto frame k with the sequence's own forward flow, mean |diff|) is
/// averaged over the pairs that straddle a boundary of the windows of 4 (k = 4, 8) and over the other pairs. The
/// whole-sequence run has no boundary: its figures for the same pairs are the reference.
/// </summary>
[Config(typeof(WindowBoundaryConfig))]
public class WindowBoundaryBenchmarks : MeasuredBenchmark
{
    private const int Frames = 12;
    private const int Window = 4;
    private StableVsrPipeline pipeline = null!;
    private Tensor lowResolution = null!;
    private Tensor? output;

    /// <summary>How the sequence is sampled: "whole", "windows of 4" (guided) or "independent windows of 4".</summary>
    [Params("whole", "windows of 4", "independent windows of 4")]
    public string Sampling { get; set; } = "whole";

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(WindowBoundaryBenchmarks), nameof(Upscale), [(nameof(Sampling), Sampling)]);

    [GlobalSetup]
    public void SetUp()
    {
        PeakMemoryRecorder.Begin();
        var options = UpscaleOptions.Default with
        {
            Sampling = SamplingOptions.Default with
            {
                Steps = 4,
                WindowSize = Sampling == "whole" ? Frames : Window,
                GuideAcrossWindows = !Sampling.StartsWith("independent", StringComparison.Ordinal),
            },
        };
        pipeline = Own(TinyPipeline.Load(options));
        lowResolution = Own(FrameTensors.ToTensor(MovingScene.Frames(Frames), PixelRange.MinusOneToOne));
    }

    [Benchmark(Description = "12 frames, tiny model, LR 32x32, 4 steps")]
    public void Upscale()
    {
        output?.Dispose();
        output = pipeline.Upscale(lowResolution).DetachFromDisposeScope();
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        using (no_grad())
        using (NewDisposeScope())
        using (var flows = SequenceFlows.Compute(pipeline.Models.Raft, lowResolution, null, 12, RaftNormStatistics.PerSample, null, ScalarType.Float32, CancellationToken.None))
        {
            var (boundary, interior) = ConsecutiveWarpError.Of(output!, flows, Window);
            WindowBoundaryConfig.Boundary.Record(Key, boundary);
            WindowBoundaryConfig.Interior.Record(Key, interior);
        }

        output?.Dispose();
        output = null;
        ReleaseOwned();
    }
}
