using System.Globalization;
using StableVsr.Models.Raft;
using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using TorchSharp;
using RaftModel = StableVsr.Models.Raft.Raft;

namespace StableVsr.Tests.Models.Raft;

[Category("Parity")]
public class RaftParityTests
{
    private const double FlowTolerance = 1e-3;

    [TestCase("raft_large_random.pth")]
    [TestCase("raft_large_random.safetensors")]
    public void MatchesTorchvisionFlow(string weights)
    {
        using var scope = torch.NewDisposeScope();
        using var raft = RaftModel.FromFile(Fixtures.Path("raft", weights));
        using var fixture = SafetensorsFile.Open(Fixtures.Case("raft_forward.safetensors"));
        var updates = int.Parse(fixture.Metadata["num_flow_updates"], CultureInfo.InvariantCulture);

        using var output = raft.forward(new RaftInput(fixture.Load("image1"), fixture.Load("image2"), updates, KeepAllPredictions: true));

        Assert.That(output.Predictions, Has.Count.EqualTo(updates));
        TensorAssert.Close(output.Predictions[0], fixture.Load("flow_first"), FlowTolerance, $"{weights} flow_first");
        TensorAssert.Close(output.Flow, fixture.Load("flow"), FlowTolerance, $"{weights} flow");
    }

    [Test]
    public void LastFlowAloneEqualsTheLastOfAllPredictions()
    {
        using var scope = torch.NewDisposeScope();
        using var raft = RaftModel.FromFile(Fixtures.Path("raft", "raft_large_random.safetensors"));
        using var fixture = SafetensorsFile.Open(Fixtures.Case("raft_forward.safetensors"));
        var (a, b) = (fixture.Load("image1"), fixture.Load("image2"));

        using var all = raft.forward(new RaftInput(a, b, 3, KeepAllPredictions: true));
        using var last = raft.forward(new RaftInput(a, b, 3));

        Assert.That(last.Predictions, Has.Count.EqualTo(1));
        Assert.That(last.Flow.equal(all.Flow).all().item<bool>(), Is.True, "skipping the intermediate upsampling must not change the final flow");
    }
}
