using System.Text.Json.Nodes;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;
using TorchSharp;

namespace StableVsr.Tests.Models.ControlNet;

[Parallelizable(ParallelScope.Self)]
public class ControlNetModelBehaviourTests
{
    private static readonly string[] Folder = ["tiny-stablevsr", "controlnet"];

    private ControlNetModel controlnet = null!;

    [OneTimeSetUp]
    public void LoadModel() => controlnet = ControlNetModel.FromPretrained(Fixtures.Path(Folder));

    [OneTimeTearDown]
    public void DisposeModel() => controlnet.Dispose();

    [Test]
    public void RefusesAConditioningImageThatIsNotFourTimesTheSample()
    {
        using var scope = torch.NewDisposeScope();
        Assert.That(controlnet.ConditioningScaleFactor, Is.EqualTo(4));
        var input = Input() with { ControlnetCond = torch.randn(2, 3, 32, 48) };
        var error = Assert.Throws<InvalidInputException>(() => controlnet.forward(input));
        Assert.That(error!.Message, Does.Contain("4x its size").And.Contain("[2, 3, 64, 96]"));
    }

    [Test]
    public void RefusesAConditioningImageWithTheWrongChannels()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input() with { ControlnetCond = torch.randn(2, 4, 64, 96) };
        var error = Assert.Throws<InvalidInputException>(() => controlnet.forward(input));
        Assert.That(error!.Message, Does.Contain("'controlnet_cond' must have 3 channels"));
    }

    [Test]
    public void RefusesClassLabelsItHasNoEmbeddingFor()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input() with { ClassLabels = torch.tensor(new long[] { 1, 1 }) };
        Assert.Throws<InvalidInputException>(() => controlnet.forward(input));
    }

    [Test]
    public void ReturnsOneResidualPerSkipConnectionOfTheUNet()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var output = controlnet.forward(Input());
        Assert.That(output.DownResiduals, Has.Count.EqualTo(controlnet.DownResidualCount));
        Assert.That(output.MidResidual.shape, Is.EqualTo(new long[] { 2, 64, 2, 3 }));
    }

    [Test]
    public void ScalesEveryResidualByTheConditioningScale()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = Input();
        using var full = controlnet.forward(input);
        using var half = controlnet.forward(input with { ConditioningScale = 0.5 });
        Assert.Multiple(() =>
        {
            for (var i = 0; i < full.DownResiduals.Count; i++)
            {
                Assert.That(ReferenceCase.MaxAbsDiff(half.DownResiduals[i], full.DownResiduals[i] * 0.5), Is.Zero, $"down {i}");
            }

            Assert.That(ReferenceCase.MaxAbsDiff(half.MidResidual, full.MidResidual * 0.5), Is.Zero, "mid");
        });
    }

    [Test]
    public void GuessModeScalesResidualsFromATenthToOne()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = Input();
        using var plain = controlnet.forward(input);
        using var guessed = controlnet.forward(input with { GuessMode = true });
        var count = plain.DownResiduals.Count;
        var scales = torch.logspace(-1, 0, count + 1);
        Assert.Multiple(() =>
        {
            for (var i = 0; i < count; i++)
            {
                Assert.That(ReferenceCase.MaxAbsDiff(guessed.DownResiduals[i], plain.DownResiduals[i] * scales[i]), Is.Zero, $"down {i}");
            }

            Assert.That(ReferenceCase.MaxAbsDiff(guessed.MidResidual, plain.MidResidual), Is.Zero, "the mid residual keeps scale 1");
        });
    }

    [Test]
    public void BgrChannelOrderFlipsTheConditioningImage()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var bgr = TinyCheckpoint.Load(Folder, doc => new ControlNetModel(ControlNetConfig.FromDocument(doc)), json => json["controlnet_conditioning_channel_order"] = "bgr");
        var input = Input();
        using var fromBgr = bgr.forward(input);
        using var fromFlipped = controlnet.forward(input with { ControlnetCond = input.ControlnetCond.flip(1) });
        Assert.That(ReferenceCase.MaxAbsDiff(fromBgr.MidResidual, fromFlipped.MidResidual), Is.Zero);
        Assert.That(ReferenceCase.MaxAbsDiff(fromBgr.DownResiduals[0], fromFlipped.DownResiduals[0]), Is.Zero);
    }

    [Test]
    public void GlobalPoolingAveragesEveryResidualOverItsPixels()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var pooled = TinyCheckpoint.Load(Folder, doc => new ControlNetModel(ControlNetConfig.FromDocument(doc)), json => json["global_pool_conditions"] = true);
        var input = Input();
        using var plain = controlnet.forward(input);
        using var averaged = pooled.forward(input);
        Assert.That(averaged.DownResiduals[3].shape, Is.EqualTo(new long[] { 2, 32, 1, 1 }));
        Assert.That(ReferenceCase.MaxAbsDiff(averaged.DownResiduals[3], plain.DownResiduals[3].mean([2, 3], keepdim: true)), Is.Zero);
        Assert.That(ReferenceCase.MaxAbsDiff(averaged.MidResidual, plain.MidResidual.mean([2, 3], keepdim: true)), Is.Zero);
    }

    [Test]
    public void TheUNetBroadcastsGloballyPooledResidualsAsDiffusersDoes()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var pooled = TinyCheckpoint.Load(Folder, doc => new ControlNetModel(ControlNetConfig.FromDocument(doc)), json => json["global_pool_conditions"] = true);
        using var unet = UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-stablevsr", "unet"));
        var input = Input();
        using var residuals = pooled.forward(input);
        var zeros = residuals.DownResiduals.Select(r => torch.zeros_like(r)).ToArray();
        var plain = unet.forward(new UNetInput(input.Sample, input.Timestep, input.EncoderHiddenStates));
        var withZeros = unet.forward(new UNetInput(input.Sample, input.Timestep, input.EncoderHiddenStates, DownResiduals: zeros, MidResidual: torch.zeros_like(residuals.MidResidual)));
        var withPooled = unet.forward(new UNetInput(input.Sample, input.Timestep, input.EncoderHiddenStates, DownResiduals: residuals.DownResiduals, MidResidual: residuals.MidResidual));
        Assert.That(ReferenceCase.MaxAbsDiff(withZeros, plain), Is.Zero, "zero residuals change nothing");
        Assert.That(ReferenceCase.MaxAbsDiff(withPooled, plain), Is.GreaterThan(0), "pooled residuals are added");
    }

    [Test]
    public void NumAttentionHeadsOverridesAttentionHeadDim()
    {
        var config = ControlNetConfig.FromDocument(TinyCheckpoint.Config(Folder, json => json["num_attention_heads"] = new JsonArray(1, 2, 4, 8)));
        Assert.That(config.HeadsPerBlock, Is.EqualTo(new[] { 1, 2, 4, 8 }));
    }

    private static ControlNetInput Input() =>
        new(torch.randn(2, 7, 16, 24), torch.tensor(new long[] { 10, 900 }), torch.randn(2, 77, 32), torch.randn(2, 3, 64, 96));
}
