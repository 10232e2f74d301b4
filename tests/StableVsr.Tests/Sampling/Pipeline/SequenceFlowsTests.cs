using StableVsr.Models.Raft;
using StableVsr.Sampling.Pipeline;
using StableVsr.Tensors;
using StableVsr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using RaftModel = StableVsr.Models.Raft.Raft;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// The flows of a window, each frame encoded once, are those of one RAFT call per pair on the bicubic-upscaled frames,
/// as StableVSR computes them: the forward and backward flow of every neighbour pair and the flow across the boundary
/// to the frame before the window, for the first frame, the middle and the last, on non-square frames; and they are
/// kept in the type asked for.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class SequenceFlowsTests
{
    // Bitwise equal on the CPU (the encoders' batch is the only difference); a frame paired with the wrong encoding
    // moves a flow by pixels.
    private const double Tolerance = 1e-5;

    [TestCase(RaftNormStatistics.PerSample)]
    [TestCase(RaftNormStatistics.Running)]
    public void EveryFlowOfAWindowIsTheFlowOfItsPairAlone(RaftNormStatistics statistics)
    {
        using var scope = NewDisposeScope();
        using var raft = new RaftModel();
        using var noGrad = no_grad();
        var generator = new Generator(11);
        var lowResolution = rand([3, 3, 32, 34], generator: generator).Times(2.0).Minus(1.0);
        var before = rand([1, 3, 32, 34], generator: generator).Times(2.0).Minus(1.0);
        const int Iterations = 1;

        using var flows = SequenceFlows.Compute(raft, lowResolution, before, Iterations, statistics, null, ScalarType.Float32, CancellationToken.None);

        raft.NormStatistics = statistics;
        Tensor Up(Tensor frame) => SequenceFlows.UpscaleBicubic(frame);
        Tensor Pair(Tensor from, Tensor to) => raft.EstimateFlow(Up(from), Up(to), Iterations).permute(0, 2, 3, 1);
        Assert.That(flows.FrameCount, Is.EqualTo(3));
        Assert.That(flows.HasBoundary, Is.True);
        TensorAssert.Close(flows.Forward(0), Pair(lowResolution[..1], before), Tolerance, "boundary: frame 0 onto the frame before the window");
        for (var k = 1; k < 3; k++)
        {
            TensorAssert.Close(flows.Forward(k), Pair(lowResolution[k..(k + 1)], lowResolution[(k - 1)..k]), Tolerance, $"forward {k} -> {k - 1}");
            TensorAssert.Close(flows.Backward(k - 1), Pair(lowResolution[(k - 1)..k], lowResolution[k..(k + 1)]), Tolerance, $"backward {k - 1} -> {k}");
        }

        Assert.That(flows.Forward(1).shape, Is.EqualTo(new long[] { 1, 128, 136, 2 }));
    }

    [Test]
    public void AFirstWindowHasNoBoundaryAndHalfPrecisionFlowsStayCloseToFullOnes()
    {
        using var scope = NewDisposeScope();
        using var raft = new RaftModel();
        using var noGrad = no_grad();
        var lowResolution = rand([2, 3, 32, 32], generator: new Generator(5)).Times(2.0).Minus(1.0);

        using var full = SequenceFlows.Compute(raft, lowResolution, null, 1, RaftNormStatistics.PerSample, null, ScalarType.Float32, CancellationToken.None);
        using var half = SequenceFlows.Compute(raft, lowResolution, null, 1, RaftNormStatistics.PerSample, null, ScalarType.Float16, CancellationToken.None);

        Assert.That(full.HasBoundary, Is.False);
        Assert.Throws<ArgumentOutOfRangeException>(() => full.Forward(0));
        // float16 keeps 11 significant bits: flows of a few pixels round by about 1e-3.
        TensorAssert.Close(half.Forward(1), full.Forward(1), 1e-2, "float16-kept forward flow");
        TensorAssert.Close(half.Backward(0), full.Backward(0), 1e-2, "float16-kept backward flow");
    }
}
