using System.Text.Json.Nodes;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;

namespace StableVsr.Tests.Models.ControlNet;

public class ControlNetConfigTests
{
    private static readonly string[] FullSize = ["full-size", "controlnet"];

    [Test]
    public void ReadsTheStableVsrTemporalConditioningModuleConfig()
    {
        var config = ControlNetConfig.Load(Fixtures.Path([.. FullSize, "config.json"]));
        Assert.Multiple(() =>
        {
            Assert.That(config.ConditioningEmbeddingOutChannels, Is.EqualTo(new[] { 64, 128, 256 }));
            Assert.That(config.ControlnetConditioningChannelOrder, Is.EqualTo("rgb"));
            Assert.That(config.HeadsPerBlock, Is.EqualTo(new[] { 8, 8, 8, 8 }));
            Assert.That(config.CrossAttentionDim, Is.EqualTo(1024));
            Assert.That(config.NumClassEmbeds, Is.EqualTo(1000));
            Assert.That(config.GlobalPoolConditions, Is.False);
        });
    }

    [TestCase("controlnet_conditioning_channel_order", "\"rgba\"")]
    [TestCase("class_embed_type", "\"projection\"")]
    [TestCase("addition_embed_type", "\"text_time\"")]
    [TestCase("encoder_hid_dim_type", "\"text_proj\"")]
    [TestCase("resnet_time_scale_shift", "\"ada_group\"")]
    public void RefusesValuesItDoesNotImplementNamingKeyAndValue(string key, string json)
    {
        var doc = TinyCheckpoint.Config(FullSize, config => config[key] = JsonNode.Parse(json));
        var error = Assert.Throws<UnsupportedConfigException>(() => ControlNetConfig.FromDocument(doc));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Key, Is.EqualTo(key));
            Assert.That(error.Message, Does.Contain(json.Trim('"')));
        });
    }

    [Test]
    public void RefusesPerBlockLayerCountsWhichDiffusersControlNetCannotTake()
    {
        var doc = TinyCheckpoint.Config(FullSize, config => config["layers_per_block"] = new JsonArray(2, 2, 2, 2));
        var error = Assert.Throws<ConfigException>(() => ControlNetConfig.FromDocument(doc));
        Assert.That(error!.Key, Is.EqualTo("layers_per_block"));
    }
}
