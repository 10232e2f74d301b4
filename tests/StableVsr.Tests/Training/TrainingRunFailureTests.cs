using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Models.ControlNet;
using StableVsr.Tensors;
using StableVsr.Tests.Support;
using StableVsr.Training;
using StableVsr.Training.Checkpoints;
using TorchSharp;

namespace StableVsr.Tests.Training;

/// <summary>What a training run does when it is stopped: Ctrl+C, a diverging loss, a full disk.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class TrainingRunFailureTests
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
    public void CancellingSavesACheckpointOfTheLastFinishedStep()
    {
        var options = Options("cancel") with { MaxTrainSteps = 3, CheckpointingSteps = 100 };
        using var cancel = new CancellationTokenSource();

        var error = Assert.Throws<TrainingCanceledException>(() => TinyTrainingRun.Run(
            options, o => new TrainingSession(o, TinyPipeline.ModelFolder, TinyPipeline.RaftWeights, NullLoggerFactory.Instance) { AfterStep = (step, _) => cancel.Cancel() }, cancel.Token));

        var checkpoint = Path.Combine(options.Output, "checkpoint-1");
        Assert.That(error!.Checkpoint, Is.EqualTo(checkpoint));
        var state = CheckpointStore.ReadState(checkpoint);
        Assert.That((state.GlobalStep, state.BatchesTrained, state.OptimizerSteps), Is.EqualTo((1L, 1L, 1L)));
        Assert.That(new CheckpointStore(options.Output, NullLogger.Instance).Resolve("latest"), Is.EqualTo(checkpoint), "the saved checkpoint is complete and resumable");
    }

    [Test]
    public void ANonFiniteLossStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        var options = Options("nan") with { MaxTrainSteps = 3, CheckpointingSteps = 1 };

        var error = Assert.Throws<TrainingDivergedException>(() => TinyTrainingRun.Run(options, o => new TrainingSession(o, TinyPipeline.ModelFolder, TinyPipeline.RaftWeights, NullLoggerFactory.Instance) { AfterStep = Poison }));

        var good = Path.Combine(options.Output, "checkpoint-1");
        Assert.That(error!.Step, Is.EqualTo(2));
        Assert.That(error.LastCheckpoint, Is.EqualTo(good));
        Assert.That(error.Message, Does.Contain("NaN").And.Contain(good));
        Assert.That(Directory.Exists(Path.Combine(options.Output, "checkpoint-2")), Is.False, "no checkpoint holds the diverged weights");
        using var controlNet = ControlNetModel.FromPretrained(Path.Combine(good, CheckpointStore.ControlNetFolder));
        Assert.That(controlNet.parameters().All(p => p.isfinite().all().item<bool>()), Is.True, "the last good checkpoint has finite weights");
    }

    [Test]
    public void AFullDiskWhileCheckpointingLeavesThePreviousCheckpointIntact()
    {
        var options = Options("full") with { MaxTrainSteps = 2, CheckpointingSteps = 1 };
        var writes = 0;

        var error = Assert.Throws<CheckpointWriteException>(() => TinyTrainingRun.Run(options, o => new TrainingSession(o, TinyPipeline.ModelFolder, TinyPipeline.RaftWeights, NullLoggerFactory.Instance)
        {
            CheckpointStoreFactory = (output, logger) => new CheckpointStore(output, logger) { WriteTensors = FullAfterFirstCheckpoint },
        }));

        var previous = Path.Combine(options.Output, "checkpoint-1");
        Assert.That(error!.PreviousCheckpoint, Is.EqualTo(previous));
        Assert.That(error.Message, Does.Contain("No space left on device").And.Contain(previous));
        Assert.That(Directory.GetDirectories(options.Output).Select(Path.GetFileName), Is.EqualTo(new[] { "checkpoint-1" }), "no partial checkpoint is left");
        Assert.That(new CheckpointStore(options.Output, NullLogger.Instance).Resolve("latest"), Is.EqualTo(previous));
        using var controlNet = ControlNetModel.FromPretrained(Path.Combine(previous, CheckpointStore.ControlNetFolder));

        void FullAfterFirstCheckpoint(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
        {
            // checkpoint-1 writes the ControlNet and the optimizer state; checkpoint-2's first file meets a full disk halfway.
            if (++writes <= 2)
            {
                StableVsr.Weights.Safetensors.SafetensorsWriter.Write(path, tensors, metadata);
                return;
            }

            File.WriteAllBytes(path, new byte[1000]);
            throw new IOException("No space left on device");
        }
    }

    private static void Poison(long step, ControlNetModel controlNet)
    {
        if (step == 1)
        {
            using var noGrad = torch.no_grad();
            controlNet.parameters().First().fill_(ScalarCache.Of(double.NaN));
        }
    }

    private TrainingOptions Options(string output) => TinyTrainingRun.Options(data, temp.File(output)) with { BatchSize = 1 };
}
