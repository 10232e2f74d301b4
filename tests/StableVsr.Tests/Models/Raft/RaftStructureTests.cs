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
        var expected = ModelManifest.ReadShapes(Fixtures.Path("full-size", "raft_large", "manifest.json"));
        var differences = ModelManifest.Differences(expected, ModelManifest.ShapesOf(raft));
        Assert.That(differences, Is.Empty, string.Join("\n", differences));
    }

    [Test]
    public void HasExactlyTheKeysAndShapesOfTheReferenceCheckpoint()
    {
        using var raft = new RaftModel();
        using var file = SafetensorsFile.Open(Fixtures.Path("raft", "raft_large_random.safetensors"));
        var expected = file.Tensors.ToDictionary(t => t.Name, t => t.Shape.ToArray(), StringComparer.Ordinal);
        var differences = ModelManifest.Differences(expected, ModelManifest.ShapesOf(raft));
        Assert.That(differences, Is.Empty, string.Join("\n", differences));
    }

    [Test]
    public void HasTheParameterCountTorchvisionPublishes()
    {
        using var raft = new RaftModel();
        Assert.That(raft.parameters().Sum(p => p.numel()), Is.EqualTo(5_257_536));
    }
}
