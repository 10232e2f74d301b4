using Microsoft.Extensions.Logging;
using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using StableVsr.Weights;
using TorchSharp;
using static TorchSharp.torch.nn;

namespace StableVsr.Tests.Weights;

public class StateDictLoaderTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void CopiesEveryParameterAndBuffer()
    {
        using var reference = Net();
        using (torch.no_grad())
        {
            foreach (var p in reference.parameters())
            {
                p.uniform_(-1, 1);
            }
        }

        var path = Save(reference.state_dict());
        using var target = Net();
        using var source = SafetensorsFile.Open(path);

        var report = StateDictLoader.Load(target, source);

        var expected = reference.state_dict();
        foreach (var (key, tensor) in target.state_dict())
        {
            Assert.That(tensor.Equals(expected[key]), Is.True, key);
        }

        Assert.That(report.LoadedKeys, Is.EquivalentTo(expected.Keys));
        Assert.That(report.UnexpectedKeys, Is.Empty);
        Assert.That(report.BytesRead, Is.EqualTo(expected.Values.Sum(t => t.numel() * t.ElementSize)));
    }

    [Test]
    public void ConvertsToTheParameterDType()
    {
        using var reference = Net();
        var path = Save(reference.state_dict());
        using var target = Net();
        target.to(torch.float64);
        using var source = SafetensorsFile.Open(path);

        StateDictLoader.Load(target, source);

        var expected = reference.state_dict();
        var loaded = target.state_dict();
        Assert.That(loaded["fc.weight"].dtype, Is.EqualTo(torch.float64));
        Assert.That(loaded["fc.weight"].to(torch.float32).Equals(expected["fc.weight"]), Is.True);
        Assert.That(loaded["norm.num_batches_tracked"].dtype, Is.EqualTo(torch.int64));
    }

    [Test]
    public void ParametersKeepTheirIdentityAndStayTrainable()
    {
        using var reference = Net();
        var path = Save(reference.state_dict());
        using var target = Net();
        var weight = target.state_dict()["fc.weight"];
        using var source = SafetensorsFile.Open(path);

        StateDictLoader.Load(target, source);

        Assert.That(target.state_dict()["fc.weight"].Handle, Is.EqualTo(weight.Handle));
        Assert.That(weight.requires_grad, Is.True);
    }

    [Test]
    public void MissingKeysAndShapeMismatchesAreReportedTogetherAndNothingIsCopied()
    {
        using var saved = Net();
        var tensors = saved.state_dict();
        tensors.Remove("fc.bias");
        tensors.Remove("norm.running_var");
        tensors["fc.weight"] = torch.zeros(5, 2);
        var path = Save(tensors);
        using var target = Net();
        using var before = target.state_dict()["norm.weight"].clone();
        using var source = SafetensorsFile.Open(path);

        var error = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(target, source));

        TestContext.Out.WriteLine(error!.Message);
        Assert.That(error.MissingKeys, Is.EquivalentTo(new[] { "fc.bias", "norm.running_var" }));
        Assert.That(error.ShapeMismatches.Single().Key, Is.EqualTo("fc.weight"));
        Assert.That(error.Message, Does.Contain("fc.bias").And.Contain("norm.running_var").And.Contain("fc.weight: module [3, 2], checkpoint [5, 2]"));
        Assert.That(error.Message, Does.Contain(path));
        Assert.That(error, Is.InstanceOf<ModelLoadException>());
        Assert.That(target.state_dict()["norm.weight"].Equals(before), Is.True, "a failed load must leave the module unchanged");
    }

    [Test]
    public void UnexpectedKeysAreWarnedAboutAndReported()
    {
        using var saved = Net();
        var tensors = saved.state_dict();
        tensors["extra.weight"] = torch.ones(2);
        var path = Save(tensors);
        using var target = Net();
        using var source = SafetensorsFile.Open(path);
        var logger = new RecordingLogger();

        var report = StateDictLoader.Load(target, source, logger);

        Assert.That(report.UnexpectedKeys, Is.EqualTo(new[] { "extra.weight" }));
        Assert.That(logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).Single(), Does.Contain("extra.weight"));
    }

    [Test]
    public void KeyMapRenamesAndDrops()
    {
        using var saved = Net();
        var tensors = saved.state_dict().ToDictionary(p => "model." + p.Key, p => p.Value);
        tensors["model.position_ids"] = torch.arange(4);
        var path = Save(tensors);
        using var target = Net();
        using var source = SafetensorsFile.Open(path);

        var report = StateDictLoader.Load(target, source, keyMap: k => k == "model.position_ids" ? null : k["model.".Length..]);

        Assert.That(report.SkippedKeys, Is.EqualTo(new[] { "model.position_ids" }));
        Assert.That(report.RenamedKeys["model.fc.weight"], Is.EqualTo("fc.weight"));
        Assert.That(target.state_dict()["fc.weight"].Equals(saved.state_dict()["fc.weight"]), Is.True);
    }

    [Test]
    public void LegacyVaeAttentionNamesAreMappedAutomatically()
    {
        using var target = AttentionNet();
        var legacy = new Dictionary<string, torch.Tensor>();
        foreach (var (key, tensor) in target.state_dict())
        {
            var old = key.Replace(".to_q.", ".query.", StringComparison.Ordinal).Replace(".to_k.", ".key.", StringComparison.Ordinal)
                .Replace(".to_v.", ".value.", StringComparison.Ordinal).Replace(".to_out.0.", ".proj_attn.", StringComparison.Ordinal);
            legacy[old] = torch.full(tensor.shape, 0.5f);
        }

        var path = Save(legacy);
        using var source = SafetensorsFile.Open(path);

        var report = StateDictLoader.Load(target, source);

        Assert.That(report.UnexpectedKeys, Is.Empty);
        Assert.That(report.RenamedKeys["mid_block.attentions.0.proj_attn.weight"], Is.EqualTo("mid_block.attentions.0.to_out.0.weight"));
        Assert.That(report.RenamedKeys, Has.Count.EqualTo(8));
        Assert.That(target.state_dict().Values.All(t => t.eq(0.5f).all().item<bool>()), Is.True);
    }

    [Test]
    public void TwoCheckpointKeysForOneParameterConflict()
    {
        using var target = AttentionNet();
        var tensors = target.state_dict().ToDictionary(p => p.Key, p => p.Value);
        tensors["mid_block.attentions.0.query.weight"] = tensors["mid_block.attentions.0.to_q.weight"];
        var path = Save(tensors);
        using var source = SafetensorsFile.Open(path);

        var error = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(target, source));

        Assert.That(error!.Conflicts.Single(), Does.Contain("mid_block.attentions.0.query.weight").And.Contain("mid_block.attentions.0.to_q.weight"));
    }

    [Test]
    public void LoadsTheTinyVaeIntoAModuleOfItsShape()
    {
        using var source = SafetensorsFile.Open(Support.Fixtures.Path("tiny-stablevsr", "vae", "diffusion_pytorch_model.safetensors"));
        using var target = new ShapeOnlyModule(source.Tensors);

        var report = StateDictLoader.Load(target, source);

        Assert.That(report.LoadedKeys, Has.Count.EqualTo(source.Keys.Count));
        foreach (var key in source.Keys.Take(10))
        {
            using var expected = source.Load(key);
            Assert.That(target.state_dict()[key].Equals(expected), Is.True, key);
        }
    }

    [Test]
    public void RepeatedLoadsLeaveNoTensorsBehind()
    {
        using var safetensors = SafetensorsFile.Open(Support.Fixtures.Path("raft", "raft_large_random.safetensors"));
        using var pth = StableVsr.Weights.Pickle.PickleCheckpoint.Open(Support.Fixtures.Path("raft", "raft_large_random.pth"));
        using var sameType = new ShapeOnlyModule(safetensors.Tensors);
        using var converted = new ShapeOnlyModule(safetensors.Tensors);
        converted.to(torch.float64);
        void LoadAll()
        {
            StateDictLoader.Load(sameType, safetensors);
            StateDictLoader.Load(converted, safetensors);
            StateDictLoader.Load(sameType, pth);
            StateDictLoader.Load(converted, pth);
        }

        LoadAll();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < 3; i++)
        {
            LoadAll();
        }

        var after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        TestContext.Out.WriteLine($"live tensors before {before}, after 3 x 4 loads {after}");
        Assert.That(after, Is.EqualTo(before));
    }

    private static TorchSharp.Modules.Sequential Net() => Sequential(("fc", Linear(2, 3)), ("norm", BatchNorm1d(3)));

    private static TorchSharp.Modules.Sequential AttentionNet() =>
        Sequential(("mid_block", Sequential(("attentions", Sequential(("0", Sequential(
            ("group_norm", GroupNorm(1, 2)),
            ("to_q", Linear(2, 2)),
            ("to_k", Linear(2, 2)),
            ("to_v", Linear(2, 2)),
            ("to_out", Sequential(("0", Linear(2, 2)))))))))));

    private string Save(IEnumerable<KeyValuePair<string, torch.Tensor>> tensors)
    {
        var path = folder.File($"{Guid.NewGuid():N}.safetensors");
        SafetensorsWriter.Write(path, tensors);
        return path;
    }
}
