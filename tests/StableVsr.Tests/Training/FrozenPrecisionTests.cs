using System.Globalization;
using StableVsr.Tests.Support;
using StableVsr.Training;
using StableVsr.Training.Checkpoints;
using StableVsr.Training.Logging;
using StableVsr.Weights;
using StableVsr.Weights.Safetensors;

namespace StableVsr.Tests.Training;

/// <summary>
/// train.py's <c>--mixed_precision</c>: the frozen UNet and VAE in a half type while the ControlNet, its gradients and
/// AdamW's state stay float32.
/// </summary>
[NonParallelizable]
public sealed class FrozenPrecisionTests
{
    private TempFolder temp = null!;
    private string data = string.Empty;

    [OneTimeSetUp]
    public void WriteData()
    {
        temp = new TempFolder();
        data = temp.File("data");
        SyntheticTrainingData.Write(data, ["001"], frames: 3);
    }

    [OneTimeTearDown]
    public void DeleteData() => temp.Dispose();

    [Test]
    public void BFloat16FrozenNetworksTrainAFloat32ControlNet()
    {
        var float32 = Options("float32");
        var bfloat16 = Options("bfloat16") with { Precision = FrozenPrecision.BFloat16 };

        TinyTrainingRun.Run(float32);
        TinyTrainingRun.Run(bfloat16);

        var (loss32, norm32) = FirstStep(float32.Output);
        var (loss16, norm16) = FirstStep(bfloat16.Output);
        TestContext.Out.WriteLine($"step 1: loss {loss32:G9} (float32) / {loss16:G9} (bfloat16); grad norm {norm32:G9} / {norm16:G9}");
        Assert.That(double.IsFinite(loss16) && double.IsFinite(norm16), Is.True, "a finite bfloat16 step");
        Assert.That(loss16, Is.Not.EqualTo(loss32), "the frozen networks really ran in bfloat16");
        Assert.That(Math.Abs(loss16 - loss32) / loss32, Is.LessThan(0.05), "bfloat16 rounding moves the loss by a few percent at most");
        using var weights = SafetensorsFile.Open(Path.Combine(bfloat16.Output, CheckpointStore.WeightsFile));
        Assert.That(weights.Tensors.Select(t => t.DType).Distinct(), Is.EqualTo(new[] { TensorDType.F32 }), "the trained ControlNet is saved in float32");
        using var optimizer = SafetensorsFile.Open(Path.Combine(bfloat16.Output, "checkpoint-1", CheckpointStore.OptimizerFile));
        Assert.That(optimizer.Tensors.Where(t => t.Shape.Length > 0).Select(t => t.DType).Distinct(), Is.EqualTo(new[] { TensorDType.F32 }), "AdamW's moments are float32");
    }

    [Test]
    public void Float16FrozenNetworksOnTheCpuAreRefused()
    {
        var options = Options("float16") with { Precision = FrozenPrecision.Float16 };

        var error = Assert.Throws<InvalidInputException>(() => TinyTrainingRun.Run(options));

        Assert.That(error!.Message, Does.Contain("CUDA").And.Contain("BFloat16"));
    }

    private TrainingOptions Options(string output) =>
        TinyTrainingRun.Options(data, temp.File(output)) with { BatchSize = 1, MaxTrainSteps = 1, CheckpointingSteps = 1 };

    private static (double Loss, double GradNorm) FirstStep(string output)
    {
        var row = File.ReadLines(Path.Combine(output, TrainingCsvLog.FileName)).Skip(1).First().Split(',');
        return (double.Parse(row[2], CultureInfo.InvariantCulture), double.Parse(row[4], CultureInfo.InvariantCulture));
    }
}
