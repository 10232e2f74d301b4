using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.Models.Raft;
using StableVsr.Tests.Support;
using StableVsr.Training;

namespace StableVsr.Tests.Training;

/// <summary>
/// <c>--gt-size</c>'s real bound. The flow train.py computes is torchvision's <c>raft_large</c> between the 4x-upscaled LR
/// crops, i.e. on gt_size x gt_size images: its correlation pyramid starts at 1/8 of the side and halves it three times.
/// At 128 px the coarsest level is 2 px wide; from 64 to 120 px it is 1 px wide, coordinates are normalised by
/// (1 - 1) = 0 and torchvision returns NaN for every flow value (checked with torchvision 0.14: 64x64, 96x96, 64x96);
/// below 64 px its pooling fails. So 128 trains and 120 would train on NaN: it is refused with the reason.
/// </summary>
public sealed class GroundTruthSizeTests
{
    [Test]
    public void TheBoundIsWhereRaftsCoarsestCorrelationLevelIsTwoPixelsWide()
    {
        var raft = new RaftConfig();
        var coarsest = (128 / RaftConfig.DownsampleFactor) >> (raft.CorrLevels - 1);
        var belowCoarsest = ((128 - RaftConfig.DownsampleFactor) / RaftConfig.DownsampleFactor) >> (raft.CorrLevels - 1);

        Assert.That(raft.MinImageSide, Is.EqualTo(128));
        Assert.That((coarsest, belowCoarsest), Is.EqualTo((2, 1)));
    }

    [TestCase(128)]
    [TestCase(136)]
    public void SizesFromTheBoundUpAreAccepted(int gtSize) =>
        Assert.DoesNotThrow(() => Options(gtSize).Validate());

    [TestCase(120)]
    [TestCase(96)]
    [TestCase(64)]
    [TestCase(32)]
    public void SmallerSizesAreRefusedWithTheReason(int gtSize)
    {
        var error = Assert.Throws<InvalidInputException>(() => Options(gtSize).Validate());

        Assert.That(error!.Message, Does.Contain($"got {gtSize}").And.Contain("at least 128").And.Contain("NaN"));
    }

    [Test]
    public void AMultipleOfEightIsRequired()
    {
        var error = Assert.Throws<InvalidInputException>(() => Options(132).Validate());

        Assert.That(error!.Message, Does.Contain("multiple of 8"));
    }

    [Test]
    public async Task TheCommandLineRefusesGtSize64BeforeLoadingAnything()
    {
        using var temp = new TempFolder();
        var output = temp.File("out");

        var code = await StableVsrCommand.RunAsync(
            ["train", "--data", temp.Path, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--output", output, "--gt-size", "64", "--device", "cpu"]);

        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(Directory.Exists(output), Is.False, "refused before the output folder is made");
    }

    private static TrainingOptions Options(int gtSize) => new() { Data = "data", GtSize = gtSize };
}
