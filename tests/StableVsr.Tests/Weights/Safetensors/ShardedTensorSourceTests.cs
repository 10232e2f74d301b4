using StableVsr.Tests.Support;
using StableVsr.Weights;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Weights.Safetensors;

public class ShardedTensorSourceTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void ShardsReadLikeTheWholeFile()
    {
        using var whole = SafetensorsFile.Open(Fixtures.Path("tiny-stablevsr", "vae", "diffusion_pytorch_model.safetensors"));
        var index = Split(whole, 3);

        using var sharded = ShardedTensorSource.Open(index);

        Assert.That(sharded.Keys, Is.EqualTo(whole.Keys));
        Assert.That(sharded.ShardPaths.Count(), Is.EqualTo(3));
        Assert.That(sharded.Metadata["total_size"], Is.EqualTo(whole.Tensors.Sum(t => t.ByteLength).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var key in whole.Keys)
        {
            using var a = whole.Load(key);
            using var b = sharded.Load(key);
            Assert.That(b.Equals(a), Is.True, key);
        }

        using var opened = TensorSources.Open(folder.Path);
        Assert.That(opened, Is.InstanceOf<ShardedTensorSource>());
    }

    [Test]
    public void MissingShardIsNamed()
    {
        using var whole = SafetensorsFile.Open(Fixtures.Case("vae.safetensors"));
        var index = Split(whole, 2);
        var shard = Directory.GetFiles(folder.Path, "*-00002-of-00002.safetensors").Single();
        File.Delete(shard);

        var error = Assert.Throws<CheckpointFormatException>(() => ShardedTensorSource.Open(index));

        TestContext.Out.WriteLine(error!.Message);
        Assert.That(error.Message, Does.Contain(Path.GetFileName(shard)).And.Contain("missing").And.Contain(index));
    }

    [Test]
    public void KeyAbsentFromItsShardIsNamed()
    {
        SafetensorsWriter.Write(folder.File("a.safetensors"), new Dictionary<string, torch.Tensor> { ["x"] = torch.ones(1) });
        var index = folder.File("model.safetensors.index.json");
        File.WriteAllText(index, """{"metadata":{},"weight_map":{"x":"a.safetensors","y":"a.safetensors"}}""");

        var error = Assert.Throws<CheckpointFormatException>(() => ShardedTensorSource.Open(index));

        Assert.That(error!.Message, Does.Contain("'y'").And.Contain("a.safetensors"));
    }

    [TestCase("../outside.safetensors")]
    [TestCase("/etc/passwd")]
    public void ShardOutsideTheFolderIsRefused(string shard)
    {
        var index = folder.File("model.safetensors.index.json");
        File.WriteAllText(index, "{\"weight_map\":{\"x\":\"" + shard + "\"}}");

        var error = Assert.Throws<CheckpointFormatException>(() => ShardedTensorSource.Open(index));

        Assert.That(error!.Message, Does.Contain("not a plain file name"));
    }

    [Test]
    public void InvalidIndexIsRefused()
    {
        var index = folder.File("model.safetensors.index.json");
        File.WriteAllText(index, """{"weight_map": ["x"]}""");

        var error = Assert.Throws<CheckpointFormatException>(() => ShardedTensorSource.Open(index));

        Assert.That(error!.Message, Does.Contain("weight_map").And.Contain(index));
    }

    private string Split(SafetensorsFile source, int shards)
    {
        var keys = source.Keys.ToArray();
        var map = new Dictionary<string, string>();
        for (var s = 0; s < shards; s++)
        {
            var name = $"diffusion_pytorch_model-{s + 1:D5}-of-{shards:D5}.safetensors";
            var part = keys.Where((_, i) => i % shards == s).ToArray();
            var tensors = part.Select(k => new KeyValuePair<string, torch.Tensor>(k, source.Load(k))).ToList();
            SafetensorsWriter.Write(folder.File(name), tensors);
            tensors.ForEach(t => t.Value.Dispose());
            foreach (var key in part)
            {
                map[key] = name;
            }
        }

        var index = folder.File("diffusion_pytorch_model.safetensors.index.json");
        var ordered = keys.ToDictionary(k => k, k => map[k]);
        File.WriteAllText(index, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["metadata"] = new Dictionary<string, long> { ["total_size"] = source.Tensors.Sum(t => t.ByteLength) },
            ["weight_map"] = ordered,
        }));
        return index;
    }
}
