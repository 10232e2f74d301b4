using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using RaftModel = StableVsr.Models.Raft.Raft;

namespace StableVsr.Tests.Models.Raft;

public class RaftStructureTests
{
    [Test]
    public void HasExactlyTheKeysAndShapesOfTorchvisionRaftLarge()
    {
        using var raft = new RaftModel();
        KeyManifest.AssertMatches(raft, Fixtures.Path("full-size", "raft_large", "manifest.json"));
    }

    [Test]
    public void HasExactlyTheKeysAndShapesOfTheReferenceCheckpoint()
    {
        using var raft = new RaftModel();
        using var file = SafetensorsFile.Open(Fixtures.Path("raft", "raft_large_random.safetensors"));
        var expected = file.Tensors.ToDictionary(t => t.Name, t => t.Shape.ToArray(), StringComparer.Ordinal);
        KeyManifest.AssertMatches(raft, expected, "raft_large_random.safetensors");
    }

    [Test]
    public void HasTheParameterCountTorchvisionPublishes()
    {
        using var raft = new RaftModel();
        Assert.That(raft.parameters().Sum(p => p.numel()), Is.EqualTo(5_257_536));
    }
}
