using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;

namespace StableVsr.Tests.Models.Clip;

public class ClipTextConfigTests
{
    [Test]
    public void ReadsTheFullSizeSd2TextEncoderConfig()
    {
        var config = ClipTextConfig.Load(Fixtures.Path("full-size", "text_encoder", "config.json"));
        Assert.Multiple(() =>
        {
            Assert.That(config.HiddenSize, Is.EqualTo(1024));
            Assert.That(config.NumHiddenLayers, Is.EqualTo(23));
            Assert.That(config.NumAttentionHeads, Is.EqualTo(16));
            Assert.That(config.HeadDim, Is.EqualTo(64));
            Assert.That(config.IntermediateSize, Is.EqualTo(4096));
            Assert.That(config.HiddenAct, Is.EqualTo("gelu"));
            Assert.That(config.EosTokenId, Is.EqualTo(2));
            Assert.That(config.PoolsAtLargestId, Is.True);
        });
    }

    [Test]
    public void TakesTransformersDefaultsForAbsentKeys()
    {
        var config = ClipTextConfig.FromDocument(ConfigDocument.Parse("{}", "config.json"));
        Assert.That(config, Is.EqualTo(new ClipTextConfig()));
        Assert.That(config.HiddenAct, Is.EqualTo("quick_gelu"));
        Assert.That(config.EosTokenId, Is.EqualTo(49407));
        Assert.That(config.PoolsAtLargestId, Is.False);
    }

    [Test]
    public void RefusesAWrongType()
    {
        var e = Assert.Throws<ConfigException>(() => ClipTextConfig.FromDocument(ConfigDocument.Parse("""{"hidden_size": "wide"}""", "config.json")));
        Assert.That(e!.Key, Is.EqualTo("hidden_size"));
    }

    [Test]
    public void RefusesANonPositiveWidth()
    {
        var e = Assert.Throws<ConfigException>(() => ClipTextConfig.FromDocument(ConfigDocument.Parse("""{"num_hidden_layers": 0}""", "config.json")));
        Assert.That(e!.Key, Is.EqualTo("num_hidden_layers"));
    }
}
