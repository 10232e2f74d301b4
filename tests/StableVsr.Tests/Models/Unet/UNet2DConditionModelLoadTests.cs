using StableVsr.Models.Unet;
using StableVsr.Tests.Support;
using StableVsr.Weights;
using StableVsr.Weights.Configs;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Models.Unet;

public class UNet2DConditionModelLoadTests
{
    [Test]
    public void LoadsTheTinyCheckpointWithoutLeftoverKeysInInferenceMode()
    {
        var folder = Fixtures.Path("tiny-stablevsr", "unet");
        using var unet = new UNet2DConditionModel(UNet2DConditionConfig.Load(Path.Combine(folder, "config.json")));
        using var weights = SafetensorsFile.Open(Path.Combine(folder, "diffusion_pytorch_model.safetensors"));
        var report = StateDictLoader.Load(unet, weights);
        Assert.Multiple(() =>
        {
            Assert.That(report.UnexpectedKeys, Is.Empty);
            Assert.That(report.LoadedKeys, Has.Count.EqualTo(weights.Keys.Count));
        });

        using var loaded = UNet2DConditionModel.FromPretrained(folder);
        Assert.Multiple(() =>
        {
            Assert.That(loaded.training, Is.False);
            Assert.That(loaded.parameters().All(p => !p.requires_grad), Is.True, "weights are frozen for inference");
        });
    }

    [Test]
    public void ConvertsToTheRequestedDtype()
    {
        using var unet = UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-stablevsr", "unet"), dtype: torch.bfloat16);
        Assert.That(unet.parameters().Select(p => p.dtype).Distinct(), Is.EqualTo(new[] { torch.bfloat16 }));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var output = unet.forward(new UNetInput(torch.randn(1, 7, 16, 24, torch.bfloat16), torch.tensor(10L), torch.randn(1, 77, 32, torch.bfloat16)));
        Assert.That(output.dtype, Is.EqualTo(torch.bfloat16));
    }

    [Test]
    public void RefusesAFolderThatDoesNotExist()
    {
        var error = Assert.Throws<ModelLoadException>(() => UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-stablevsr", "no-such-model")));
        Assert.That(error!.Message, Does.Contain("does not exist"));
    }

    [Test]
    public void RefusesAFolderWithoutWeights()
    {
        var folder = Directory.CreateTempSubdirectory("stablevsr-unet-").FullName;
        try
        {
            File.Copy(Fixtures.Path("tiny-stablevsr", "unet", "config.json"), Path.Combine(folder, "config.json"));
            var error = Assert.Throws<ModelLoadException>(() => UNet2DConditionModel.FromPretrained(folder));
            Assert.That(error!.Message, Does.Contain("diffusion_pytorch_model.safetensors"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void RefusesWeightsThatLackParametersOfTheConfig()
    {
        var folder = Directory.CreateTempSubdirectory("stablevsr-unet-").FullName;
        try
        {
            File.Copy(Fixtures.Path("tiny-unet-noise-level", "config.json"), Path.Combine(folder, "config.json"));
            File.Copy(Fixtures.Path("tiny-stablevsr", "unet", "diffusion_pytorch_model.safetensors"), Path.Combine(folder, "diffusion_pytorch_model.safetensors"));
            var error = Assert.Throws<StateDictMismatchException>(() => UNet2DConditionModel.FromPretrained(folder));
            Assert.That(error!.Message, Does.Contain("class_embedding.weight"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
