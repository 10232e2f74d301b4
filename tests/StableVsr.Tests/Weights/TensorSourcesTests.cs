using StableVsr.Tests.Support;
using StableVsr.Weights;
using StableVsr.Weights.Pickle;
using StableVsr.Weights.Safetensors;

namespace StableVsr.Tests.Weights;

public class TensorSourcesTests
{
    [Test]
    public void OpensEachKindByItsPath()
    {
        using var folder = TensorSources.Open(Fixtures.Path("tiny-stablevsr", "unet"));
        using var textEncoder = TensorSources.Open(Fixtures.Path("tiny-stablevsr", "text_encoder"));
        using var pth = TensorSources.Open(Fixtures.Path("raft", "raft_large_random.pth"));

        Assert.That(folder, Is.InstanceOf<SafetensorsFile>());
        Assert.That(folder.Location, Does.EndWith("diffusion_pytorch_model.safetensors"));
        Assert.That(textEncoder.Location, Does.EndWith("model.safetensors"));
        Assert.That(pth, Is.InstanceOf<PickleCheckpoint>());
    }

    [Test]
    public void FolderWithoutWeightsIsNamed()
    {
        var error = Assert.Throws<ModelLoadException>(() => TensorSources.Open(Fixtures.Path("tiny-stablevsr", "scheduler")));

        Assert.That(error!.Message, Does.Contain("scheduler").And.Contain("diffusion_pytorch_model.safetensors"));
    }

    [Test]
    public void UnknownExtensionIsNamed()
    {
        var error = Assert.Throws<ModelLoadException>(() => TensorSources.Open(Fixtures.Path("tiny-stablevsr", "model_index.json")));

        Assert.That(error!.Message, Does.Contain("model_index.json"));
    }
}
