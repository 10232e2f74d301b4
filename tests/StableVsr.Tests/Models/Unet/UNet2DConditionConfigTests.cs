using System.Text.Json.Nodes;
using StableVsr.Models.Unet;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;
using TorchSharp;

namespace StableVsr.Tests.Models.Unet;

public class UNet2DConditionConfigTests
{
    private static readonly string[] FullSize = ["full-size", "unet"];
    private static readonly string[] Tiny = ["tiny-stablevsr", "unet"];

    [Test]
    public void ReadsTheX4UpscalerConfig()
    {
        var config = UNet2DConditionConfig.Load(Fixtures.Path([.. FullSize, "config.json"]));
        Assert.Multiple(() =>
        {
            Assert.That(config.InChannels, Is.EqualTo(7));
            Assert.That(config.BlockOutChannels, Is.EqualTo(new[] { 256, 512, 512, 1024 }));
            Assert.That(config.AttentionHeadDim, Is.EqualTo(new[] { 8, 8, 8, 8 }), "an int applies to every block");
            Assert.That(config.OnlyCrossAttention, Is.EqualTo(new[] { true, true, true, false }));
            Assert.That(config.CrossAttentionDim, Is.EqualTo(new[] { 1024, 1024, 1024, 1024 }));
            Assert.That(config.LayersPerBlock, Is.EqualTo(new[] { 2, 2, 2, 2 }));
            Assert.That(config.NumClassEmbeds, Is.EqualTo(1000));
            Assert.That(config.UseLinearProjection, Is.True);
            Assert.That(config.NormNumGroups, Is.EqualTo(32));
            Assert.That(config.NormEps, Is.EqualTo(1e-5));
            Assert.That(config.FlipSinToCos, Is.True);
        });
    }

    [TestCase("num_attention_heads", "8")]
    [TestCase("class_embed_type", "\"timestep\"")]
    [TestCase("addition_embed_type", "\"text\"")]
    [TestCase("encoder_hid_dim", "768")]
    [TestCase("time_cond_proj_dim", "256")]
    [TestCase("time_embedding_act_fn", "\"silu\"")]
    [TestCase("resnet_time_scale_shift", "\"scale_shift\"")]
    [TestCase("time_embedding_type", "\"fourier\"")]
    [TestCase("attention_type", "\"gated\"")]
    [TestCase("mid_block_type", "\"UNetMidBlock2DSimpleCrossAttn\"")]
    [TestCase("dual_cross_attention", "true")]
    [TestCase("class_embeddings_concat", "true")]
    [TestCase("norm_num_groups", "null")]
    public void RefusesValuesItDoesNotImplementNamingKeyAndValue(string key, string json)
    {
        var doc = TinyCheckpoint.Config(FullSize, config => config[key] = JsonNode.Parse(json));
        var error = Assert.Throws<UnsupportedConfigException>(() => UNet2DConditionConfig.FromDocument(doc));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Key, Is.EqualTo(key));
            Assert.That(error.Message, Does.Contain(key).And.Contain(json.Trim('"')).IgnoreCase);
        });
    }

    [Test]
    public void RefusesBlockTypesItDoesNotImplementWhenBuilding()
    {
        var config = UNet2DConditionConfig.FromDocument(TinyCheckpoint.Config(FullSize, json => json["down_block_types"]![0] = "AttnDownBlock2D"));
        var error = Assert.Throws<UnsupportedConfigException>(() => KeyManifest.BuildOnMeta(() => new UNet2DConditionModel(config)));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Key, Is.EqualTo("down_block_types"));
            Assert.That(error.Value, Is.EqualTo("AttnDownBlock2D"));
        });
    }

    [Test]
    public void RefusesUnknownActivationsWhenBuilding()
    {
        var config = UNet2DConditionConfig.FromDocument(TinyCheckpoint.Config(Tiny, json => json["act_fn"] = "tanh"));
        var error = Assert.Throws<UnsupportedConfigException>(() => KeyManifest.BuildOnMeta(() => new UNet2DConditionModel(config)));
        Assert.That(error!.Key, Is.EqualTo("act_fn"));
    }

    [Test]
    public void RefusesPerBlockListsOfTheWrongLength()
    {
        var doc = TinyCheckpoint.Config(Tiny, json => json["only_cross_attention"] = new JsonArray(true, false));
        var error = Assert.Throws<ConfigException>(() => UNet2DConditionConfig.FromDocument(doc));
        Assert.That(error!.Key, Is.EqualTo("only_cross_attention"));
    }

    [Test]
    public void RefusesAConfigOfAnotherModelClass()
    {
        var error = Assert.Throws<UnsupportedConfigException>(() => UNet2DConditionConfig.Load(Fixtures.Path("full-size", "vae", "config.json")));
        Assert.That(error!.Key, Is.EqualTo("_class_name"));
    }

    [Test]
    public void ConvolutionProjectionsGiveTheTransformersOneByOneKernels()
    {
        var config = UNet2DConditionConfig.FromDocument(TinyCheckpoint.Config(Tiny, json => json["use_linear_projection"] = false));
        using var unet = KeyManifest.BuildOnMeta(() => new UNet2DConditionModel(config));
        var shapes = unet.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.That(shapes["down_blocks.1.attentions.0.proj_in.weight"], Is.EqualTo(new long[] { 32, 32, 1, 1 }));
        Assert.That(shapes["up_blocks.0.attentions.2.proj_out.weight"], Is.EqualTo(new long[] { 64, 64, 1, 1 }));
    }

    [Test]
    public void AttentionHeadDimPerBlockIsTheNumberOfHeadsOfEachBlock()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var scalar = TinyCheckpoint.Load(Tiny, Build);
        using var sameList = TinyCheckpoint.Load(Tiny, Build, json => json["attention_head_dim"] = new JsonArray(4, 4, 4, 4));
        using var otherList = TinyCheckpoint.Load(Tiny, Build, json => json["attention_head_dim"] = new JsonArray(1, 2, 4, 8));
        Assert.That(sameList.Config.AttentionHeadDim, Is.EqualTo(scalar.Config.AttentionHeadDim));
        var input = new UNetInput(torch.randn(1, 7, 16, 16), torch.tensor(300L), torch.randn(1, 8, 32));
        var reference = scalar.forward(input);
        Assert.Multiple(() =>
        {
            Assert.That(ReferenceCase.MaxAbsDiff(sameList.forward(input), reference), Is.Zero, "a list of the same heads is the same network");
            Assert.That(ReferenceCase.MaxAbsDiff(otherList.forward(input), reference), Is.GreaterThan(1e-4), "other head counts split the channels differently");
        });
    }

    private static UNet2DConditionModel Build(ConfigDocument doc) => new(UNet2DConditionConfig.FromDocument(doc));
}
