using StableVsr.Models.Clip;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Models.Clip;

public class ClipTextModelTests
{
    private const double Tolerance = 1e-5;

    [TestCase("clip_text.safetensors")]
    [TestCase("clip_text_quickgelu.safetensors")]
    [Category("Parity")]
    public void MatchesTransformersClipTextModel(string caseFile)
    {
        using var scope = torch.NewDisposeScope();
        using var fixture = SafetensorsFile.Open(Fixtures.Case(caseFile));
        using var model = ClipTextModel.FromPretrained(Fixtures.Path(fixture.Metadata["model_dir"]));
        Assert.That(model.Config.HiddenAct, Is.EqualTo(fixture.Metadata["hidden_act"]));

        using var output = model.forward(fixture.Load("input_ids"));

        TensorAssert.Close(output.LastHiddenState, fixture.Load("last_hidden_state"), Tolerance, $"{caseFile} last_hidden_state");
        TensorAssert.Close(output.PoolerOutput, fixture.Load("pooler_output"), Tolerance, $"{caseFile} pooler_output");
        Assert.That(output.PoolerIndex.data<long>().ToArray(), Is.EqualTo(fixture.Load("pooler_index").data<long>().ToArray()));
    }

    [Test]
    [Category("Parity")]
    public void MatchesTheReferenceTextEmbeddingsOfTinyStableVsr()
    {
        using var scope = torch.NewDisposeScope();
        using var fixture = SafetensorsFile.Open(Fixtures.Case("text_embeds.safetensors"));
        var folder = Fixtures.Path(fixture.Metadata["model"].Trim('"'));
        var tokenizer = ClipTokenizer.FromFolder(Path.Combine(Path.GetDirectoryName(folder)!, "tokenizer"));
        using var model = ClipTextModel.FromPretrained(folder);

        foreach (var name in new[] { "empty", "prompt" })
        {
            var prompt = System.Text.Json.JsonSerializer.Deserialize<string>(fixture.Metadata[name])!;
            var ids = tokenizer.EncodeBatch([prompt]);
            Assert.That(ids.data<long>().ToArray(), Is.EqualTo(fixture.Load($"{name}_input_ids").data<long>().ToArray()), $"ids of {name}");

            using var output = model.forward(ids);
            TensorAssert.Close(output.LastHiddenState, fixture.Load($"{name}_last_hidden_state"), Tolerance, $"text_embeds {name}");
        }
    }

    [Test]
    public void PoolsAtTheLargestIdForLegacyEosConfigs()
    {
        using var scope = torch.NewDisposeScope();
        var legacy = new ClipTextConfig(VocabSize: 50, HiddenSize: 8, IntermediateSize: 16, NumHiddenLayers: 1, NumAttentionHeads: 2, MaxPositionEmbeddings: 6, EosTokenId: 2);
        var current = legacy with { EosTokenId = 7 };
        var ids = torch.tensor(new long[] { 1, 7, 40, 7, 2, 2 }, [1, 6]);
        using var legacyModel = new ClipTextModel(legacy);
        using var currentModel = new ClipTextModel(current);

        using var a = legacyModel.forward(ids);
        using var b = currentModel.forward(ids);

        Assert.That(a.PoolerIndex.item<long>(), Is.EqualTo(2));
        Assert.That(b.PoolerIndex.item<long>(), Is.EqualTo(1));
    }

    [Test]
    public void HasExactlyTheKeysAndShapesOfTheFullSizeTextEncoder()
    {
        var config = ClipTextConfig.Load(Fixtures.Path("full-size", "text_encoder", "config.json"));
        using var model = KeyManifest.BuildOnMeta(() => new ClipTextModel(config));
        Assert.That(model.parameters().Select(p => p.device_type).Distinct(), Is.EqualTo(new[] { DeviceType.META }), "built without allocating 1.4 GB");
        KeyManifest.AssertMatches(model, Fixtures.Path("full-size", "text_encoder", "manifest.json"));
    }

    [Test]
    public void RefusesIdsOutsideTheVocabulary()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ClipTextModel(new ClipTextConfig(VocabSize: 10, HiddenSize: 8, IntermediateSize: 16, NumHiddenLayers: 1, NumAttentionHeads: 2, MaxPositionEmbeddings: 4));
        var e = Assert.Throws<InvalidInputException>(() => model.forward(torch.tensor(new long[] { 1, 10 }, [1, 2])));
        Assert.That(e!.Message, Does.Contain("[0, 10)"));
    }

    [Test]
    public void RefusesSequencesLongerThanThePositions()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ClipTextModel(new ClipTextConfig(VocabSize: 10, HiddenSize: 8, IntermediateSize: 16, NumHiddenLayers: 1, NumAttentionHeads: 2, MaxPositionEmbeddings: 4));
        Assert.Throws<InvalidInputException>(() => model.forward(torch.zeros(1, 5, torch.int64)));
        Assert.Throws<InvalidInputException>(() => model.forward(torch.zeros(5, torch.int64)));
        Assert.Throws<InvalidInputException>(() => model.forward(torch.zeros(1, 3, torch.float32)));
    }

    [Test]
    public void RefusesUnsupportedActivations()
    {
        var doc = ConfigDocument.Parse("""{"hidden_act": "relu"}""", "config.json");
        var e = Assert.Throws<UnsupportedConfigException>(() => ClipTextConfig.FromDocument(doc));
        Assert.That(e!.Key, Is.EqualTo("hidden_act"));
    }

    [Test]
    public void RefusesHeadsThatDoNotDivideTheWidth()
    {
        var doc = ConfigDocument.Parse("""{"hidden_size": 30, "num_attention_heads": 4}""", "config.json");
        var e = Assert.Throws<ConfigException>(() => ClipTextConfig.FromDocument(doc));
        Assert.That(e!.Key, Is.EqualTo("num_attention_heads"));
    }

    [Test]
    public void LoadsTheOlderPytorchModelBin()
    {
        using var scope = torch.NewDisposeScope();
        using var folder = new TempFolder();
        File.Copy(Fixtures.Path("text_encoder", "config.json"), folder.File("config.json"));
        using (var safetensors = SafetensorsFile.Open(Fixtures.Path("text_encoder", "model.safetensors")))
        {
            var builder = new StableVsr.Tests.Weights.Pickle.TorchZipBuilder();
            var storage = 0;
            foreach (var info in safetensors.Tensors)
            {
                using var t = safetensors.Load(info.Name);
                var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.data<float>().ToArray().AsSpan()).ToArray();
                var shape = info.Shape.Select(d => (int)d).ToArray();
                var strides = shape.Select((_, i) => shape.Skip(i + 1).Aggregate(1, (a, b) => a * b)).ToArray();
                var key = (storage++).ToString(System.Globalization.CultureInfo.InvariantCulture);
                builder.Storage(key, bytes).Tensor(info.Name, "FloatStorage", key, (int)info.ElementCount, 0, shape, strides);
            }

            builder.Write(folder.File("pytorch_model.bin"));
        }

        using var fromBin = ClipTextModel.FromPretrained(folder.Path);
        using var fromSafetensors = ClipTextModel.FromPretrained(Fixtures.Path("text_encoder"));
        var ids = torch.tensor(new long[] { 998, 5, 17, 999, 0, 0 }, [1, 6]);
        using var a = fromBin.forward(ids);
        using var b = fromSafetensors.forward(ids);
        Assert.That(a.LastHiddenState.equal(b.LastHiddenState).all().item<bool>(), Is.True);
    }

    [Test]
    public void RefusesAFolderWithoutWeights()
    {
        using var folder = new TempFolder();
        File.Copy(Fixtures.Path("text_encoder", "config.json"), folder.File("config.json"));
        var e = Assert.Throws<ModelLoadException>(() => ClipTextModel.FromPretrained(folder.Path));
        Assert.That(e!.Message, Does.Contain("model.safetensors").And.Contain("pytorch_model.bin"));
    }
}
