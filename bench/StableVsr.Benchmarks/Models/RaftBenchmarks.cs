using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Models.Raft;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Models;

/// <summary>
/// RAFT-large (random weights, 12 updates) on what the pipeline gives it per frame pair: the forward and the backward
/// flow between two 4x bicubic frames of a 32x32 LR sequence (128x128). Compares the context encoder's normalisation
/// statistics side by side (running statistics, as before StableVSR's training-mode behaviour was reproduced, against
/// per-sample and whole-batch statistics) and the two directions computed in two calls or in one batched call.
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class RaftBenchmarks : MeasuredBenchmark
{
    private Raft? raft;
    private Tensor current = null!;
    private Tensor previous = null!;
    private string method = string.Empty;

    /// <summary>What the context encoder's BatchNorm layers normalise with.</summary>
    [Params(RaftNormStatistics.Running, RaftNormStatistics.PerSample, RaftNormStatistics.Batch)]
    public RaftNormStatistics Statistics { get; set; }

    [GlobalSetup(Target = nameof(TwoCalls))]
    public void SetUpTwoCalls() => SetUp(nameof(TwoCalls));

    [GlobalSetup(Target = nameof(OneBatchedCall))]
    public void SetUpOneBatchedCall() => SetUp(nameof(OneBatchedCall));

    private void SetUp(string benchmark)
    {
        method = benchmark;
        PeakMemoryRecorder.Begin();
        raft = Own(new Raft());
        raft.NormStatistics = Statistics;
        var generator = Own(new Generator(1234));
        current = Own(rand([1, 3, 128, 128], generator: generator).mul(2).sub(1));
        previous = Own(rand([1, 3, 128, 128], generator: generator).mul(2).sub(1));
    }

    [Benchmark(Baseline = true, Description = "forward + backward flow, two calls")]
    public void TwoCalls()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            raft!.EstimateFlow(current, previous, 12);
            raft.EstimateFlow(previous, current, 12);
        }
    }

    [Benchmark(Description = "forward + backward flow, one batched call")]
    public void OneBatchedCall()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            raft!.EstimateFlow(cat([current, previous], 0), cat([previous, current], 0), 12);
        }
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
        raft = null;
    }

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(RaftBenchmarks), method, [(nameof(Statistics), Statistics.ToString())]);
}
