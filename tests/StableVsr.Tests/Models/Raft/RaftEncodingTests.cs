using StableVsr.Models.Raft;
using StableVsr.Tensors;
using StableVsr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using RaftModel = StableVsr.Models.Raft.Raft;

namespace StableVsr.Tests.Models.Raft;

/// <summary>
/// A frame encoded once (<see cref="RaftModel.Encode"/>) serves every pair it belongs to: the flow from two encodings is
/// the flow RAFT computes from the two images, for square and non-square frames, one pair or several, each direction
/// alone or both in one batch; an encoding survives the flows made from it; and what cannot be encoded apart from its
/// pair (whole-batch statistics) or is not RAFT input is refused.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class RaftEncodingTests
{
    // The encoders see the same pixels either way; only the batch they run in differs, which on the CPU leaves every bit
    // the same. A slip (another frame's context, a hidden state reused after an update) moves flows by pixels.
    private const double Tolerance = 1e-5;

    [TestCase(RaftNormStatistics.PerSample, 128, 136, 2)]
    [TestCase(RaftNormStatistics.Running, 136, 128, 1)]
    public void EncodedFramesGiveTheFlowsOfTheirImagesInBothDirections(RaftNormStatistics statistics, int height, int width, int batch)
    {
        using var scope = NewDisposeScope();
        using var raft = new RaftModel();
        raft.NormStatistics = statistics;
        using var noGrad = no_grad();
        var generator = new Generator(7);
        var a = rand([batch, 3, height, width], generator: generator).Times(2.0).Minus(1.0);
        var b = rand([batch, 3, height, width], generator: generator).Times(2.0).Minus(1.0);

        using var encodedA = raft.Encode(a);
        using var encodedB = raft.Encode(b);
        Assert.That(encodedA.BatchSize, Is.EqualTo(batch));

        TensorAssert.Close(raft.EstimateFlow(encodedA, encodedB, 2), raft.EstimateFlow(a, b, 2), Tolerance, "a -> b");
        TensorAssert.Close(raft.EstimateFlow(encodedB, encodedA, 2), raft.EstimateFlow(b, a, 2), Tolerance, "b -> a, from the same encodings");

        // Both directions in one batched refinement, as the pipeline runs them.
        using var firsts = RaftFrameEncoding.Concat(encodedA, encodedB);
        using var seconds = RaftFrameEncoding.Concat(encodedB, encodedA);
        TensorAssert.Close(raft.EstimateFlow(firsts, seconds, 2), raft.EstimateFlow(cat([a, b], 0), cat([b, a], 0), 2), Tolerance, "both directions batched");
        Assert.That(encodedA.Hidden.IsInvalid, Is.False, "the refinement leaves the encoding's hidden state alone");
    }

    [Test]
    public void WholeBatchStatisticsAreRefusedBecauseAFrameCannotBeEncodedApartFromItsPair()
    {
        using var raft = new RaftModel();
        raft.NormStatistics = RaftNormStatistics.Batch;
        using var frames = zeros(1, 3, 128, 128);
        var e = Assert.Throws<InvalidOperationException>(() => raft.Encode(frames).Dispose());
        Assert.That(e!.Message, Does.Contain("Batch").And.Contain("EstimateFlow(image1, image2)"));
    }

    [Test]
    public void WhatIsNotRaftInputIsRefusedBeforeEncoding()
    {
        using var raft = new RaftModel();
        using var small = zeros(1, 3, 64, 128);
        Assert.That(Assert.Throws<InvalidInputException>(() => raft.Encode(small).Dispose())!.Message, Does.Contain("too small"));
        using var gray = zeros(1, 1, 128, 128);
        Assert.That(Assert.Throws<InvalidInputException>(() => raft.Encode(gray).Dispose())!.Message, Does.Contain("[B, 3, H, W]"));

        using var noGrad = no_grad();
        using var square = raft.Encode(zeros(1, 3, 128, 128));
        using var wide = raft.Encode(zeros(1, 3, 128, 136));
        Assert.That(Assert.Throws<InvalidInputException>(() => raft.EstimateFlow(square, wide, 1).Dispose())!.Message, Does.Contain("same shape"));
        Assert.That(Assert.Throws<InvalidInputException>(() => raft.EstimateFlow(square, square, 0).Dispose())!.Message, Does.Contain("at least one flow update"));
    }
}
