using StableVsr.Models.Unet;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Models.Unet;

public class UNet2DConditionModelInputTests
{
    private UNet2DConditionModel unet = null!;
    private UNet2DConditionModel noiseLevelUnet = null!;

    [OneTimeSetUp]
    public void LoadModels()
    {
        unet = UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-stablevsr", "unet"));
        noiseLevelUnet = UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-unet-noise-level"));
    }

    [OneTimeTearDown]
    public void DisposeModels()
    {
        unet.Dispose();
        noiseLevelUnet.Dispose();
    }

    [Test]
    public void RefusesASampleWithTheWrongChannelCount()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input(unet, channels: 4);
        var error = Assert.Throws<InvalidInputException>(() => unet.forward(input));
        Assert.That(error!.Message, Does.Contain("'sample' must have 7 channels"));
    }

    [Test]
    public void RefusesASampleWithoutBatchDimension()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input(unet) with { Sample = torch.zeros(7, 16, 24) };
        var error = Assert.Throws<InvalidInputException>(() => unet.forward(input));
        Assert.That(error!.Message, Does.Contain("4 dimensions"));
    }

    [Test]
    public void RefusesASampleInAnotherDtypeThanTheWeights()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input(unet) with { Sample = torch.zeros(2, 7, 16, 24, torch.float64) };
        var error = Assert.Throws<InvalidInputException>(() => unet.forward(input));
        Assert.That(error!.Message, Does.Contain("Float64").And.Contain("Float32"));
    }

    [Test]
    public void RefusesTimestepsThatDoNotMatchTheBatch()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input(unet) with { Timestep = torch.tensor(new long[] { 1, 2, 3 }) };
        var error = Assert.Throws<InvalidInputException>(() => unet.forward(input));
        Assert.That(error!.Message, Does.Contain("'timestep'"));
    }

    [Test]
    public void RefusesEncoderStatesOfTheWrongWidth()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input(unet) with { EncoderHiddenStates = torch.zeros(2, 77, 16) };
        var error = Assert.Throws<InvalidInputException>(() => unet.forward(input));
        Assert.That(error!.Message, Does.Contain("[2, tokens, 32]"));
    }

    [Test]
    public void RefusesClassLabelsWhenTheModelHasNoClassEmbedding()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input(unet) with { ClassLabels = torch.tensor(new long[] { 20, 20 }) };
        var error = Assert.Throws<InvalidInputException>(() => unet.forward(input));
        Assert.That(error!.Message, Does.Contain("no class embedding"));
    }

    [Test]
    public void RequiresClassLabelsWhenTheModelHasAClassEmbedding()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<InvalidInputException>(() => noiseLevelUnet.forward(Input(noiseLevelUnet)));
        Assert.That(error!.Message, Does.Contain("'class_labels' are required").And.Contain("num_class_embeds = 1000"));
    }

    [TestCase(1000L)]
    [TestCase(-1L)]
    public void RefusesClassLabelsOutsideTheEmbedding(long label)
    {
        using var scope = torch.NewDisposeScope();
        var input = Input(noiseLevelUnet) with { ClassLabels = torch.tensor(new[] { 20L, label }) };
        var error = Assert.Throws<InvalidInputException>(() => noiseLevelUnet.forward(input));
        Assert.That(error!.Message, Does.Contain("0..999"));
    }

    [Test]
    public void RefusesRealValuedClassLabels()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input(noiseLevelUnet) with { ClassLabels = torch.tensor(new[] { 20f, 20f }) };
        Assert.Throws<InvalidInputException>(() => noiseLevelUnet.forward(input));
    }

    [Test]
    public void RefusesDownResidualsWithoutMidResidual()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input(unet) with { DownResiduals = [] };
        var error = Assert.Throws<InvalidInputException>(() => unet.forward(input));
        Assert.That(error!.Message, Does.Contain("both"));
    }

    [Test]
    public void RefusesTheWrongNumberOfDownResiduals()
    {
        using var scope = torch.NewDisposeScope();
        var input = Input(unet) with { DownResiduals = [torch.zeros(2, 32, 16, 24)], MidResidual = torch.zeros(2, 64, 2, 3) };
        var error = Assert.Throws<InvalidInputException>(() => unet.forward(input));
        Assert.That(error!.Message, Does.Contain($"{unet.DownResidualCount} skip connections"));
    }

    [Test]
    public void RefusesResidualsOfAnotherShape()
    {
        using var scope = torch.NewDisposeScope();
        var down = Enumerable.Range(0, unet.DownResidualCount).Select(_ => torch.zeros(2, 1, 1, 1)).ToArray();
        var input = Input(unet) with { DownResiduals = down, MidResidual = torch.zeros(2, 64, 2, 3) };
        var error = Assert.Throws<InvalidInputException>(() => unet.forward(input));
        Assert.That(error!.Message, Does.Contain("DownResiduals[0]"));
    }

    [Test]
    public void BroadcastsAScalarTimestepToTheBatch()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = Input(unet);
        var scalar = unet.forward(input with { Timestep = torch.tensor(500L) });
        var perSample = unet.forward(input with { Timestep = torch.tensor(new long[] { 500, 500 }) });
        Assert.That(ReferenceCase.MaxAbsDiff(scalar, perSample), Is.Zero);
    }

    [Test]
    public void AcceptsSamplesThatAreNotMultiplesOfTheDownsamplingFactorAsDiffusersDoes()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Assert.That(unet.DownsamplingFactor, Is.EqualTo(8));
        var input = Input(unet) with { Sample = torch.randn(2, 7, 15, 21) };
        var output = unet.forward(input);
        Assert.That(output.shape, Is.EqualTo(new long[] { 2, 4, 15, 21 }));
    }

    private static UNetInput Input(UNet2DConditionModel model, int channels = 7) =>
        new(torch.randn(2, channels, 16, 24), torch.tensor(new long[] { 10, 900 }), torch.randn(2, 77, model.Config.CrossAttentionDim[0]));
}
