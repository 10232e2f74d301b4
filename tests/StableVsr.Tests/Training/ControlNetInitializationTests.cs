using System.Text.Json.Nodes;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Tests.Support;
using StableVsr.Training.Initialization;
using StableVsr.Weights.Configs;
using TorchSharp;

namespace StableVsr.Tests.Training;

/// <summary>A new ControlNet made from the UNet as diffusers' <c>from_unet</c> makes it, and the architecture check for given ones.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class ControlNetInitializationTests
{
    private static string UnetFolder => Path.Combine(TinyPipeline.ModelFolder, "unet");

    private static string ControlNetFolder => Path.Combine(TinyPipeline.ModelFolder, "controlnet");

    [Test]
    public void TheConfigIsTheOneDiffusersWroteForTheTinyCheckpoint()
    {
        // The fixtures' ControlNet was made with from_unet(unet, conditioning_embedding_out_channels=(8, 16, 32)) and saved by diffusers.
        var made = JsonNode.Parse(ControlNetFromUnet.ConfigJson(Path.Combine(UnetFolder, "config.json"), [8, 16, 32]))!.AsObject();
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(ControlNetFolder, "config.json")))!.AsObject();

        Assert.That(made.Select(p => p.Key), Is.EqualTo(saved.Select(p => p.Key)), "the same keys, sorted as diffusers writes them");
        foreach (var (key, value) in saved)
        {
            Assert.That(JsonNode.DeepEquals(made[key], value), Is.True, $"'{key}': made {made[key]?.ToJsonString()}, diffusers {value?.ToJsonString()}");
        }
    }

    [Test]
    public void WeightsAreCopiedZeroedOrSeededAsFromUnetDoes()
    {
        using var scope = torch.NewDisposeScope();
        using var unet = UNet2DConditionModel.FromPretrained(UnetFolder);
        var config = ControlNetFromUnet.ConfigJson(Path.Combine(UnetFolder, "config.json"), [8, 16, 32]);
        using var controlNet = ControlNetFromUnet.Create(config, unet, seed: 3);
        using var again = ControlNetFromUnet.Create(config, unet, seed: 3);
        using var other = ControlNetFromUnet.Create(config, unet, seed: 4);
        var unetWeights = unet.state_dict();
        var (copied, zeroed, seeded) = (0, 0, 0);

        foreach (var (name, parameter) in controlNet.named_parameters())
        {
            var same = again.state_dict()[name];
            Assert.That(parameter.eq(same).all().item<bool>(), Is.True, $"'{name}' depends only on the UNet and the seed");
            if (name.StartsWith("controlnet_down_blocks.", StringComparison.Ordinal) || name.StartsWith("controlnet_mid_block.", StringComparison.Ordinal)
                || name.StartsWith("controlnet_cond_embedding.conv_out.", StringComparison.Ordinal))
            {
                Assert.That(parameter.count_nonzero().item<long>(), Is.Zero, $"'{name}' starts at zero");
                zeroed++;
            }
            else if (name.StartsWith("controlnet_cond_embedding.", StringComparison.Ordinal))
            {
                var weight = controlNet.state_dict()[name[..name.LastIndexOf('.')] + ".weight"];
                var bound = 1 / Math.Sqrt(weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b));
                Assert.That(parameter.abs().max().item<float>(), Is.LessThanOrEqualTo(bound).And.GreaterThan(bound / 2), $"'{name}' is uniform in +-1/sqrt(fan_in)");
                Assert.That(parameter.eq(other.state_dict()[name]).all().item<bool>(), Is.False, $"'{name}' changes with the seed");
                seeded++;
            }
            else
            {
                Assert.That(parameter.eq(unetWeights[name]).all().item<bool>(), Is.True, $"'{name}' is the UNet's");
                copied++;
            }
        }

        TestContext.Out.WriteLine($"{copied} copied, {zeroed} zeroed, {seeded} seeded parameters");
        Assert.That((copied, zeroed, seeded), Is.EqualTo((copied, 2 * (controlNet.DownResidualCount + 1) + 2, 2 * 5)));
    }

    [Test]
    public void ANewControlNetLeavesTheUNetsPredictionUnchanged()
    {
        using var scope = torch.NewDisposeScope();
        using var unet = UNet2DConditionModel.FromPretrained(UnetFolder);
        using var controlNet = ControlNetFromUnet.Create(ControlNetFromUnet.ConfigJson(Path.Combine(UnetFolder, "config.json"), [8, 16, 32]), unet, seed: 1);
        var (sample, timestep, text) = (torch.randn(1, 7, 16, 16), torch.tensor(new long[] { 500 }), torch.randn(1, 77, 32));

        using var residuals = controlNet.forward(new ControlNetInput(sample, timestep, text, torch.randn(1, 3, 64, 64)));
        var guided = unet.forward(new UNetInput(sample, timestep, text, DownResiduals: residuals.DownResiduals, MidResidual: residuals.MidResidual));

        Assert.That(guided.eq(unet.forward(new UNetInput(sample, timestep, text))).all().item<bool>(), Is.True, "zero convolutions add nothing until trained");
    }

    [Test]
    public void TheReleasedLayoutOfControlNetIsAccepted() =>
        Assert.DoesNotThrow(() => ControlNetCompatibility.Check(ControlNetConfig.Load(Path.Combine(ControlNetFolder, "config.json")), UNet2DConditionConfig.Load(Path.Combine(UnetFolder, "config.json")), ControlNetFolder));

    [TestCase("block_out_channels", "[32, 64, 64, 64]")]
    [TestCase("in_channels", "4")]
    [TestCase("cross_attention_dim", "64")]
    [TestCase("conditioning_embedding_out_channels", "[8, 16, 32, 64]")]
    public void AControlNetOfAnotherArchitectureIsRefusedWithTheDifference(string key, string value)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(ControlNetFolder, "config.json")))!.AsObject();
        json[key] = JsonNode.Parse(value);
        var config = ControlNetConfig.FromDocument(ConfigDocument.Parse(json.ToJsonString(), "other/config.json"));

        var error = Assert.Throws<ModelLoadException>(() => ControlNetCompatibility.Check(config, UNet2DConditionConfig.Load(Path.Combine(UnetFolder, "config.json")), "other"));

        Assert.That(error!.Message, Does.Contain(key == "conditioning_embedding_out_channels" ? "downsamples its conditioning image 8x" : key));
        TestContext.Out.WriteLine(error.Message);
    }
}
