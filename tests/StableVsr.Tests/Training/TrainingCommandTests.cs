using System.Text.Json.Nodes;
using StableVsr.Cli;
using StableVsr.Cli.Commands;
using StableVsr.Evaluation.Metrics;
using StableVsr.Models.ControlNet;
using StableVsr.IO;
using StableVsr.Models.Loading;
using StableVsr.Models.Runtime;
using StableVsr.Tests.Support;
using StableVsr.Training.Checkpoints;
using StableVsr.Training.Logging;
using StableVsr.Training.Validation;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Training;

/// <summary>
/// <c>stablevsr train</c> as the README runs it on generated data: it writes diffusers-layout checkpoints, the log and the
/// trained ControlNet, which <c>stablevsr upscale --controlnet</c> then uses.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class TrainingCommandTests : TempFolderTests
{
    [Test]
    public async Task TrainWritesACheckpointThatUpscaleUsesThroughControlNet()
    {
        var data = Temp.File("data");
        SyntheticTrainingData.Write(data, ["001", "002"], frames: 3);
        var output = Temp.File("trained");
        var config = Temp.File("train.json");
        File.WriteAllText(config, """{ "ConditioningEmbeddingChannels": [8, 16, 32], "ExcludedPartition": "None", "RaftIterations": 2, "DataWorkers": 1, "ValidationInferenceSteps": 1 }""");
        var validation = Directory.CreateDirectory(Temp.File("validation-frames")).FullName;
        var validationTruth = Directory.CreateDirectory(Temp.File("validation-gt")).FullName;
        foreach (var i in new[] { 0, 1 })
        {
            File.Copy(Fixtures.Case($"pipeline_lr_{i}.png"), Path.Combine(validation, $"{i:D3}.png"));
            File.Copy(Fixtures.Path("cases", "metrics_frames", "gt", "000", $"{i:D8}.png"), Path.Combine(validationTruth, $"{i:D3}.png"));
        }

        var code = await StableVsrCommand.RunAsync(
        [
            "train", "--data", data, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--output", output, "--config", config,
            "--max-steps", "2", "--checkpointing-steps", "1", "--checkpoints-total-limit", "1", "--batch-size", "1", "--gt-size", "128",
            "--learning-rate", "1e-3", "--device", "cpu", "--validation-frames", validation, "--validation-gt", validationTruth, "--validation-steps", "2",
        ]);

        Assert.That(code, Is.EqualTo(ExitCodes.Ok));
        Assert.That(Directory.GetDirectories(output).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "checkpoint-2", "validation" }), "the limit keeps the newest checkpoint only");
        var validated = Directory.GetFiles(Path.Combine(output, "validation", "step-2")).Select(Path.GetFileName).Order().ToArray();
        Assert.That(validated, Is.EqualTo(new[] { "000.png", "001.png" }), "validation upscaled the frames with the ControlNet of step 2");
        var frame = ImageFolderSource.ReadFrame(Path.Combine(output, "validation", "step-2", "000.png"));
        Assert.That((frame.Width, frame.Height), Is.EqualTo((160, 128)));
        AssertValidationMetrics(Path.Combine(output, "validation"), validationTruth);
        var checkpoint = Path.Combine(output, "checkpoint-2");
        foreach (var file in new[] { "controlnet/config.json", "controlnet/diffusion_pytorch_model.safetensors", "optimizer.safetensors", "training_state.json" })
        {
            Assert.That(File.Exists(Path.Combine(checkpoint, file)), Is.True, file);
        }

        Assert.That(File.ReadLines(Path.Combine(output, TrainingCsvLog.FileName)).First(), Is.EqualTo("step,epoch,loss,lr,grad_norm,step_seconds"));
        Assert.That(File.ReadLines(Path.Combine(output, TrainingCsvLog.FileName)).Count(), Is.EqualTo(3));
        Assert.That(new FileInfo(Path.Combine(output, LossCurvePlot.FileName)).Length, Is.GreaterThan(1000), "the loss curve PNG");
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(output, CheckpointStore.ConfigFile)))!;
        Assert.That(saved["_class_name"]!.GetValue<string>(), Is.EqualTo("ControlNetModel"), "diffusers' config.json");
        using (var weights = SafetensorsFile.Open(Path.Combine(output, CheckpointStore.WeightsFile)))
        {
            Assert.That(weights.Metadata["format"], Is.EqualTo("pt"), "the metadata diffusers' save_pretrained writes");
        }

        var frames = Path.Combine(data, "lr", "001");
        var upscaled = Temp.File("upscaled");
        code = await StableVsrCommand.RunAsync(
        [
            "upscale", "--input", frames, "--output", upscaled, "--model", TinyPipeline.ModelFolder, "--controlnet", output, "--raft", TinyPipeline.RaftWeights,
            "--steps", "1", "--device", "cpu",
        ]);

        Assert.That(code, Is.EqualTo(ExitCodes.Ok));
        Assert.That(Directory.GetFiles(upscaled).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "00000000.png", "00000001.png", "00000002.png" }));
        using var scope = torch.NewDisposeScope();
        using var models = await new StableVsrModelLoader().LoadAsync(TinyPipeline.Source with { ControlNet = output }, ComputeDevice.Cpu, PrecisionPolicy.Float32);
        using var trained = ControlNetModel.FromPretrained(output);
        using var original = ControlNetModel.FromPretrained(Path.Combine(TinyPipeline.ModelFolder, "controlnet"));
        var name = "controlnet_mid_block.weight";
        Assert.That(models.ControlNet.state_dict()[name].eq(trained.state_dict()[name]).all().item<bool>(), Is.True, "the pipeline loads the trained ControlNet");
        Assert.That(trained.state_dict()[name].shape, Is.EqualTo(original.state_dict()[name].shape));
    }

    [Test]
    public async Task ValidationGroundTruthOfAnotherSizeIsABadInput()
    {
        var data = Temp.File("data");
        SyntheticTrainingData.Write(data, ["001"], frames: 3);
        var validation = Directory.CreateDirectory(Temp.File("validation-frames")).FullName;
        var validationTruth = Directory.CreateDirectory(Temp.File("validation-gt")).FullName;
        File.Copy(Fixtures.Case("pipeline_lr_0.png"), Path.Combine(validation, "000.png"));
        File.Copy(Fixtures.Case("pipeline_lr_1.png"), Path.Combine(validationTruth, "000.png"));

        var code = await StableVsrCommand.RunAsync(
        [
            "train", "--data", data, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--output", Temp.File("out"),
            "--gt-size", "128", "--device", "cpu", "--held-out", "none", "--validation-frames", validation, "--validation-gt", validationTruth,
        ]);

        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), "a 40x32 ground truth for a 40x32 LR frame is not 4x");
        Assert.That(Directory.Exists(Path.Combine(Temp.File("out"), "checkpoint-1")), Is.False, "refused before training");
    }

    [Test]
    public async Task AnUnknownConfigKeyIsABadInput()
    {
        var config = Temp.File("train.json");
        File.WriteAllText(config, """{ "LearningRat": 1e-4 }""");

        var code = await StableVsrCommand.RunAsync(["train", "--data", Temp.Path, "--config", config, "--device", "cpu"]);

        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
    }

    [Test]
    public async Task MissingDataIsABadInput()
    {
        var code = await StableVsrCommand.RunAsync(
            ["train", "--data", Temp.File("none"), "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--output", Temp.File("out"), "--device", "cpu"]);

        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
    }

    [Test]
    public async Task AControlNetOfAnotherArchitectureIsAModelError()
    {
        var data = Temp.File("data");
        SyntheticTrainingData.Write(data, ["001"], frames: 3);
        var other = Directory.CreateDirectory(Temp.File("other")).FullName;
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TinyPipeline.ModelFolder, "controlnet", "config.json")))!.AsObject();
        json["block_out_channels"] = new JsonArray(32, 64, 64, 64);
        File.WriteAllText(Path.Combine(other, "config.json"), json.ToJsonString());
        File.Copy(Path.Combine(TinyPipeline.ModelFolder, "controlnet", "diffusion_pytorch_model.safetensors"), Path.Combine(other, "diffusion_pytorch_model.safetensors"));

        var code = await StableVsrCommand.RunAsync(
        [
            "train", "--data", data, "--model", TinyPipeline.ModelFolder, "--raft", TinyPipeline.RaftWeights, "--controlnet", other,
            "--output", Temp.File("out"), "--gt-size", "128", "--device", "cpu",
        ]);

        Assert.That(code, Is.EqualTo(ExitCodes.ModelError));
    }

    // metrics.csv holds the step-2 row, and its values are eval.py's PSNR and SSIM of the written frames against the truth.
    private static void AssertValidationMetrics(string validation, string truthFolder)
    {
        var lines = File.ReadAllLines(Path.Combine(validation, ValidationRunner.MetricsFileName));
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[0], Is.EqualTo(ValidationRunner.MetricsHeader));
        var row = lines[1].Split(',');
        Assert.That(row[0], Is.EqualTo("2"));
        using var scope = torch.NewDisposeScope();
        var written = ImageFolderSource.ListFrameFiles(Path.Combine(validation, "step-2")).Select((f, i) => ImageFolderSource.ReadFrame(f, i)).ToList();
        var truth = ImageFolderSource.ListFrameFiles(truthFolder).Select((f, i) => ImageFolderSource.ReadFrame(f, i)).ToList();
        var (output, groundTruth) = (FrameTensors.ToTensor(written, PixelRange.ZeroToOne), FrameTensors.ToTensor(truth, PixelRange.ZeroToOne));
        var psnr = Psnr.Compute(groundTruth, output).mean().item<float>();
        var ssim = Ssim.Compute(groundTruth, output).mean().item<float>();
        Assert.That(float.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(psnr), "PSNR of the frames on disk");
        Assert.That(float.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(ssim), "SSIM of the frames on disk");
        Assert.That(psnr, Is.GreaterThan(0).And.LessThan(100));
    }
}
