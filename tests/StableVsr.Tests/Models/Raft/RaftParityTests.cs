using System.Globalization;
using StableVsr.Models.Raft;
using StableVsr.Tensors;
using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using TorchSharp;
using RaftModel = StableVsr.Models.Raft.Raft;

namespace StableVsr.Tests.Models.Raft;

[Category("Parity")]
[Parallelizable(ParallelScope.Self)]
public class RaftParityTests
{
    private const double FlowTolerance = 1e-3;

    public static IEnumerable<string> TrainStepFiles() => Fixtures.Cases("train_step*.safetensors");

    [TestCase("raft_large_random.pth")]
    [TestCase("raft_large_random.safetensors")]
    public void MatchesTorchvisionFlow(string weights)
    {
        using var scope = torch.NewDisposeScope();
        using var raft = TestDevice.Place(RaftModel.FromFile(Fixtures.Path("raft", weights)));
        using var fixture = SafetensorsFile.Open(Fixtures.Case("raft_forward.safetensors"));
        var updates = int.Parse(fixture.Metadata["num_flow_updates"], CultureInfo.InvariantCulture);

        raft.NormStatistics = RaftNormStatistics.Running;
        using var output = raft.forward(new RaftInput(TestDevice.On(fixture.Load("image1")), TestDevice.On(fixture.Load("image2")), updates, KeepAllPredictions: true));

        Assert.That(output.Predictions, Has.Count.EqualTo(updates));
        TensorAssert.Close(output.Predictions[0], fixture.Load("flow_first"), FlowTolerance, $"{weights} flow_first (running statistics)");
        TensorAssert.Close(output.Flow, fixture.Load("flow"), FlowTolerance, $"{weights} flow (running statistics)");
    }

    /// <summary>StableVSR never calls <c>.eval()</c> on RAFT: its BatchNorm layers use each call's batch statistics.</summary>
    [TestCase(RaftNormStatistics.PerSample)]
    [TestCase(RaftNormStatistics.Batch)]
    public void MatchesTorchvisionFlowInTrainingMode(RaftNormStatistics statistics)
    {
        using var scope = torch.NewDisposeScope();
        using var raft = TestDevice.Place(RaftModel.FromFile(Fixtures.Path("raft", "raft_large_random.pth")));
        using var fixture = SafetensorsFile.Open(Fixtures.Case("raft_forward.safetensors"));
        var updates = int.Parse(fixture.Metadata["num_flow_updates"], CultureInfo.InvariantCulture);
        Assert.That(raft.NormStatistics, Is.EqualTo(RaftNormStatistics.PerSample), "the default is StableVSR's mode");

        // A batch of one: per-sample and whole-batch statistics are the same thing here.
        raft.NormStatistics = statistics;
        var flow = raft.EstimateFlow(TestDevice.On(fixture.Load("image1")), TestDevice.On(fixture.Load("image2")), updates);

        TensorAssert.Close(flow, fixture.Load("flow_train"), FlowTolerance, $"flow_train ({statistics})");

        // The reference's own two modes differ by this much (5.3 px on the shared set); a port that ignored the mode
        // would land near the eval-mode flow instead.
        var referenceModes = fixture.Load("flow_train").sub(fixture.Load("flow")).abs().max().item<float>();
        var fromEvalMode = flow.cpu().sub(fixture.Load("flow")).abs().max().item<float>();
        Assert.That(referenceModes, Is.GreaterThan(100 * FlowTolerance), "the file's two modes must differ by far more than the tolerance, or this test proves nothing");
        Assert.That(fromEvalMode, Is.GreaterThan(referenceModes / 2), "the training-mode flow must differ from the eval-mode one as the reference's does");
    }

    /// <summary>
    /// train.py calls RAFT on its whole batch: the statistics are shared, so one sample's flow depends on the others.
    /// Every training-step file, whatever its batch and crop shape.
    /// </summary>
    [TestCaseSource(nameof(TrainStepFiles))]
    public void MatchesTrainPyFlowsWithStatisticsSharedByTheBatch(string file)
    {
        using var scope = torch.NewDisposeScope();
        using var raft = TestDevice.Place(RaftModel.FromFile(Fixtures.Path("raft", "raft_large_random.pth")));
        using var fixture = SafetensorsFile.Open(Fixtures.Case(file));
        var lq = TestDevice.On(fixture.Load("lq")).Times(2).Minus(1);
        var neighbour = fixture.Load("random_t").data<long>().ToArray();
        var batch = lq.shape[0];
        var centre = torch.stack(Enumerable.Range(0, (int)batch).Select(i => lq[i, 1]));
        var previous = torch.stack(Enumerable.Range(0, (int)batch).Select(i => lq[i, neighbour[i]]));
        var upscale = (torch.Tensor x) => torch.nn.functional.interpolate(x, scale_factor: [4.0, 4.0], mode: torch.InterpolationMode.Bicubic, align_corners: false);
        var expected = fixture.Load("flow").permute(0, 3, 1, 2);

        raft.NormStatistics = RaftNormStatistics.Batch;
        var shared = raft.EstimateFlow(upscale(centre), upscale(previous));
        raft.NormStatistics = RaftNormStatistics.PerSample;
        var perSample = raft.EstimateFlow(upscale(centre), upscale(previous));

        TensorAssert.Close(shared, expected, FlowTolerance, $"{file} train.py flow (Batch)");
        var apart = perSample.cpu().sub(expected).abs().max().item<float>();
        TestContext.Out.WriteLine($"per-sample statistics on the same batch: max |diff| = {apart:E3} px");
        Assert.That(apart, Is.GreaterThan(0.01f), "per-sample statistics must not reproduce train.py's shared ones");
    }

    /// <summary>Per-sample statistics make a batch of pairs give each pair's own flow, as one call per pair does.</summary>
    [Test]
    public void BatchedPairsGiveThePerPairFlowsWithPerSampleStatistics()
    {
        using var scope = torch.NewDisposeScope();
        using var raft = TestDevice.Place(RaftModel.FromFile(Fixtures.Path("raft", "raft_large_random.pth")));
        using var fixture = SafetensorsFile.Open(Fixtures.Case("raft_forward.safetensors"));
        var (a, b) = (TestDevice.On(fixture.Load("image1")), TestDevice.On(fixture.Load("image2")));
        var image1 = torch.cat([a, b.flip(3)], 0);
        var image2 = torch.cat([b, a.flip(3)], 0);

        var batched = raft.EstimateFlow(image1, image2);
        var first = raft.EstimateFlow(image1[..1], image2[..1]);
        var second = raft.EstimateFlow(image1[1..], image2[1..]);

        TensorAssert.Close(batched[..1], fixture.Load("flow_train"), FlowTolerance, "batched pair 0 against the reference");
        TensorAssert.Close(batched, torch.cat([first, second], 0), 1e-4, "batched against one pair per call");
        raft.NormStatistics = RaftNormStatistics.Batch;
        var sharedStatistics = raft.EstimateFlow(image1, image2);
        Assert.That(sharedStatistics.sub(batched).abs().max().item<float>(), Is.GreaterThan(0.01f), "shared statistics must change a batch's flows");
    }

    [Test]
    public void LastFlowAloneEqualsTheLastOfAllPredictions()
    {
        using var scope = torch.NewDisposeScope();
        using var raft = TestDevice.Place(RaftModel.FromFile(Fixtures.Path("raft", "raft_large_random.safetensors")));
        using var fixture = SafetensorsFile.Open(Fixtures.Case("raft_forward.safetensors"));
        var (a, b) = (TestDevice.On(fixture.Load("image1")), TestDevice.On(fixture.Load("image2")));

        using var all = raft.forward(new RaftInput(a, b, 3, KeepAllPredictions: true));
        using var last = raft.forward(new RaftInput(a, b, 3));

        Assert.That(last.Predictions, Has.Count.EqualTo(1));
        Assert.That(last.Flow.equal(all.Flow).all().item<bool>(), Is.True, "skipping the intermediate upsampling must not change the final flow");
    }
}
