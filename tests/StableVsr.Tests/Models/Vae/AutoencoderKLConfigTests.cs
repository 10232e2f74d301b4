using System.Text.Json.Nodes;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;

namespace StableVsr.Tests.Models.Vae;

public class AutoencoderKLConfigTests
{
    private static readonly string[] FullSize = ["full-size", "vae"];

    [Test]
    public void ReadsTheX4UpscalerVaeConfig()
    {
        var config = AutoencoderKLConfig.Load(Fixtures.Path([.. FullSize, "config.json"]));
        Assert.Multiple(() =>
        {
            Assert.That(config.BlockOutChannels, Is.EqualTo(new[] { 128, 256, 512 }));
            Assert.That(config.LatentChannels, Is.EqualTo(4));
            Assert.That(config.ScalingFactor, Is.EqualTo(0.08333));
            Assert.That(config.ForceUpcast, Is.True);
            Assert.That(config.DownsamplingSteps, Is.EqualTo(2));
        });
    }

    [TestCase("use_quant_conv", "false")]
    [TestCase("use_post_quant_conv", "false")]
    [TestCase("mid_block_add_attention", "false")]
    [TestCase("shift_factor", "0.0609")]
    [TestCase("latents_mean", "[0.1, 0.2, 0.3, 0.4]")]
    public void RefusesLaterDiffusersFeaturesThatChangeTheNetwork(string key, string json)
    {
        var doc = TinyCheckpoint.Config(FullSize, config => config[key] = JsonNode.Parse(json));
        var error = Assert.Throws<UnsupportedConfigException>(() => AutoencoderKLConfig.FromDocument(doc));
        Assert.That(error!.Key, Is.EqualTo(key));
    }

    [Test]
    public void AcceptsLaterDiffusersKeysThatKeepTheNetwork()
    {
        var doc = TinyCheckpoint.Config(FullSize, config =>
        {
            config["use_quant_conv"] = true;
            config["use_post_quant_conv"] = true;
            config["mid_block_add_attention"] = true;
            config["shift_factor"] = null;
        });
        Assert.That(AutoencoderKLConfig.FromDocument(doc).ScalingFactor, Is.EqualTo(0.08333));
    }

    [Test]
    public void RefusesBlockListsOfDifferentLengths()
    {
        var doc = TinyCheckpoint.Config(FullSize, config => config["up_block_types"] = new JsonArray("UpDecoderBlock2D", "UpDecoderBlock2D"));
        var error = Assert.Throws<ConfigException>(() => AutoencoderKLConfig.FromDocument(doc));
        Assert.That(error!.Key, Is.EqualTo("up_block_types"));
    }
}
