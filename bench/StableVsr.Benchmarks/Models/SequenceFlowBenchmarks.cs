using BenchmarkDotNet.Attributes;
using StableVsr.Benchmarks.Infrastructure;
using StableVsr.Models.Raft;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Models;

/// <summary>
/// What the pipeline pays per frame of a sequence for its flows (RAFT-large, random weights, per-sample statistics, on a
/// 32x32 LR sequence at 4x: 128x128), once the first frame is done: the forward and backward flow between the new
/// frame and the one before it. Before, each pair went through one batched RAFT call, which runs the feature encoder
/// on four images and the context encoder on two; now the new frame is encoded once and the previous frame's
/// encoding is reused, so only the refinement runs per pair. 2 updates (what the behaviour tests use) and 12
/// (StableVSR's default).
/// </summary>
[Config(typeof(HeavyInProcessConfig))]
public class SequenceFlowBenchmarks : MeasuredBenchmark
{
    private Raft? raft;
    private Tensor current = null!;
    private Tensor previous = null!;
    private RaftFrameEncoding encodedPrevious = null!;
    private string method = string.Empty;

    /// <summary>RAFT's flow updates.</summary>
    [Params(2, 12)]
    public int Iterations { get; set; }

    [GlobalSetup(Target = nameof(OneCallPerPair))]
    public void SetUpOneCallPerPair() => SetUp(nameof(OneCallPerPair));

    [GlobalSetup(Target = nameof(EachFrameEncodedOnce))]
    public void SetUpEachFrameEncodedOnce() => SetUp(nameof(EachFrameEncodedOnce));

    private void SetUp(string benchmark)
    {
        method = benchmark;
        PeakMemoryRecorder.Begin();
        raft = Own(new Raft());
        var generator = Own(new Generator(1234));
        current = Own(rand([1, 3, 128, 128], generator: generator).mul(2).sub(1));
        previous = Own(rand([1, 3, 128, 128], generator: generator).mul(2).sub(1));
        using (no_grad())
        {
            encodedPrevious = Own(raft.Encode(previous));
        }
    }

    [Benchmark(Baseline = true, Description = "one batched RAFT call per pair")]
    public void OneCallPerPair()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            raft!.EstimateFlow(cat([current, previous], 0), cat([previous, current], 0), Iterations);
        }
    }

    [Benchmark(Description = "new frame encoded once, previous encoding reused")]
    public void EachFrameEncodedOnce()
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            using var encoded = raft!.Encode(current);
            using var firsts = RaftFrameEncoding.Concat(encoded, encodedPrevious);
            using var seconds = RaftFrameEncoding.Concat(encodedPrevious, encoded);
            raft.EstimateFlow(firsts, seconds, Iterations);
        }
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        ReleaseOwned();
        raft = null;
    }

    /// <inheritdoc />
    protected override string Key => PeakMemoryRecorder.Key(nameof(SequenceFlowBenchmarks), method, [(nameof(Iterations), Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
}
