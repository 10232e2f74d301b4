using StableVsr.Tests.Support;
using StableVsr.Weights.Hub;
using StableVsr.Weights.Inspection;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Weights.Inspection;

public class CheckpointInspectorTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void TinyStableVsrIsAValidPipeline()
    {
        var report = Inspector().Inspect(Fixtures.Path("tiny-stablevsr"));

        TestContext.Out.WriteLine(report.ToText(includeTensors: false));
        Assert.That(report.IsValid, Is.True, string.Join("\n", report.AllProblems));
        Assert.That(report.PipelineClass, Is.EqualTo("StableVSRPipeline"));
        Assert.That(report.Components.Select(c => c.Name), Is.EquivalentTo(new[] { "controlnet", "scheduler", "unet", "vae", "text_encoder", "tokenizer" }));
        var unet = report.Components.Single(c => c.Name == "unet");
        using var unetFile = SafetensorsFile.Open(Fixtures.Path("tiny-stablevsr", "unet", "diffusion_pytorch_model.safetensors"));
        Assert.That(unet.Weights!.Tensors.Select(t => t.Name), Is.EqualTo(unetFile.Keys));
        Assert.That(unet.Config!.ClassName, Is.EqualTo("UNet2DConditionModel"));
        Assert.That(report.Components.Single(c => c.Name == "text_encoder").Config!.ClassName, Is.EqualTo("CLIPTextModel"));
        Assert.That(report.ToText(), Does.Contain("conv_in.weight").And.Contain("OK: no problems found."));
    }

    [Test]
    public void SingleCheckpointFileIsListed()
    {
        var report = Inspector().Inspect(Fixtures.Path("raft", "raft_large_random.pth"), readData: true);

        Assert.That(report.IsValid, Is.True);
        Assert.That(report.Components.Single().Weights!.Format, Is.EqualTo("PyTorch pickle"));
        Assert.That(report.Components.Single().Weights!.Tensors.Any(t => t.Name == "feature_encoder.convnormrelu.0.weight"), Is.True);
    }

    [Test]
    public void EveryProblemOfABrokenPipelineIsListed()
    {
        var root = folder.File("broken");
        Directory.CreateDirectory(root);
        File.Copy(Fixtures.Path("tiny-stablevsr", "model_index.json"), Path.Combine(root, "model_index.json"));
        Directory.CreateDirectory(Path.Combine(root, "vae"));
        File.Copy(Fixtures.Path("tiny-stablevsr", "vae", "diffusion_pytorch_model.safetensors"), Path.Combine(root, "vae", "diffusion_pytorch_model.safetensors"));
        Directory.CreateDirectory(Path.Combine(root, "unet"));
        File.WriteAllText(Path.Combine(root, "unet", "config.json"), """{"_class_name": "UNet2DConditionModel", "in_channels": 7,}""");
        RawSafetensors.Write(Path.Combine(root, "unet", "diffusion_pytorch_model.safetensors"), """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[8]);
        Directory.CreateDirectory(Path.Combine(root, "scheduler"));
        File.WriteAllText(Path.Combine(root, "scheduler", "scheduler_config.json"), "not json");

        var report = Inspector().Inspect(root);

        var text = report.ToText();
        TestContext.Out.WriteLine(text);
        Assert.That(report.IsValid, Is.False);
        Assert.That(report.AllProblems, Has.Some.Contains("vae: ").And.Some.Contains("config.json' is missing"));
        Assert.That(report.AllProblems, Has.Some.Contains("unet: ").And.Some.Contains("outside the data area"));
        Assert.That(report.AllProblems, Has.Some.Contains("scheduler: ").And.Some.Contains("scheduler_config.json' is not valid JSON"));
        Assert.That(report.AllProblems, Has.Some.Contains("component 'controlnet'").And.Some.Contains("component 'text_encoder'"));
        var error = Assert.Throws<ModelLoadException>(report.ThrowIfInvalid);
        Assert.That(error!.Message, Does.Contain(root).And.Contain("problem(s)"));
    }

    [Test]
    public void NonFiniteValuesAreFoundWhenReadingData()
    {
        var path = folder.File("nan.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, torch.Tensor> { ["ok"] = torch.ones(2), ["bad"] = torch.tensor(new[] { 1f, float.NaN, float.PositiveInfinity }) });

        var shallow = Inspector().Inspect(path);
        var deep = Inspector().Inspect(path, readData: true);

        Assert.That(shallow.IsValid, Is.True);
        Assert.That(deep.AllProblems.Single(), Does.Contain("'bad' holds 2 NaN or infinite values"));
    }

    [Test]
    public void HubIdIsInspectedFromTheCache()
    {
        var options = new HubOptions { HubCache = folder.Path, Offline = true };
        var cache = new HuggingFaceCache(folder.Path);
        var commit = new string('c', 40);
        var snapshot = Path.Combine(cache.SnapshotFolder("owner/tiny", commit), "unet");
        Directory.CreateDirectory(snapshot);
        foreach (var file in Directory.GetFiles(Fixtures.Path("tiny-unet-noise-level")))
        {
            File.Copy(file, Path.Combine(snapshot, Path.GetFileName(file)));
        }

        File.Copy(Fixtures.Path("tiny-stablevsr", "model_index.json"), Path.Combine(cache.SnapshotFolder("owner/tiny", commit), "model_index.json"));
        cache.WriteRef("owner/tiny", "main", commit);

        var report = Inspector(options).Inspect("owner/tiny");
        var missing = Assert.Throws<ModelLoadException>(() => Inspector(options).Inspect("owner/absent"));

        Assert.That(report.Path, Is.EqualTo(cache.SnapshotFolder("owner/tiny", commit)));
        Assert.That(report.Components.Single(c => c.Name == "unet").Problems, Is.Empty);
        Assert.That(missing!.Message, Does.Contain("owner/absent").And.Contain("not in the Hugging Face cache"));
    }

    [Test]
    public void NonexistentPathIsNamed()
    {
        var error = Assert.Throws<ModelLoadException>(() => Inspector().Inspect(folder.File("nothing-here")));

        Assert.That(error!.Message, Does.Contain("nothing-here"));
    }

    private CheckpointInspector Inspector(HubOptions? options = null) =>
        new(options ?? new HubOptions { HubCache = folder.File("hub"), Offline = true });
}
