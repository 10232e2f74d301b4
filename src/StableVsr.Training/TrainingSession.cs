using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Raft;
using StableVsr.Models.Unet;
using StableVsr.Models.Loading;
using StableVsr.Models.Runtime;
using StableVsr.Sampling.Pipeline;
using StableVsr.Training.Checkpoints;
using StableVsr.Training.Data;
using StableVsr.Training.Diffusion;
using StableVsr.Training.Initialization;
using StableVsr.Training.Logging;
using StableVsr.Training.Optimization;
using StableVsr.Training.Randomness;
using StableVsr.Training.Steps;
using StableVsr.Training.Validation;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Training;

/// <summary>
/// One training run on one thread, train.py's <c>main</c> after argument parsing: load the frozen networks and the
/// ControlNet (new from the UNet, from a folder, or from a checkpoint to resume), index the data, then loop over
/// batches with gradient accumulation, clipping, AdamW and the learning-rate schedule, logging every step and writing
/// checkpoints and validation frames at their intervals; the final ControlNet goes to the output folder.
/// </summary>
internal sealed class TrainingSession : IDisposable
{
    private readonly TrainingOptions options;
    private readonly ILoggerFactory loggerFactory;
    private readonly ILogger logger;
    private readonly List<IDisposable> owned = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();

    /// <summary>Creates a run; nothing is loaded until <see cref="Run"/>.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="modelFolder">The local StableVSR folder (a Hub id already resolved).</param>
    /// <param name="raftFile">The local RAFT weights.</param>
    /// <param name="loggerFactory">Logging.</param>
    public TrainingSession(TrainingOptions options, string modelFolder, string raftFile, ILoggerFactory loggerFactory)
    {
        this.options = options;
        ModelFolder = modelFolder;
        RaftFile = raftFile;
        this.loggerFactory = loggerFactory;
        logger = loggerFactory.CreateLogger<TrainingSession>();
    }

    /// <summary>The StableVSR model folder.</summary>
    public string ModelFolder { get; }

    /// <summary>The RAFT weights file.</summary>
    public string RaftFile { get; }

    /// <summary>Replaces the randomness (tests feed recorded draws); null keeps the seeded one.</summary>
    internal ITrainingRandomness? Randomness { get; init; }

    /// <summary>Replaces how checkpoints are stored (tests simulate a full disk).</summary>
    internal Func<string, ILogger, CheckpointStore>? CheckpointStoreFactory { get; init; }

    /// <summary>Called after every optimizer step with the step number and the ControlNet (tests cancel or interfere from here).</summary>
    internal Action<long, ControlNetModel>? AfterStep { get; init; }

    /// <summary>Trains until the last step, or until cancelled (then a checkpoint is saved and the cancellation rethrown).</summary>
    /// <exception cref="InvalidInputException">The data or options cannot be used.</exception>
    /// <exception cref="ModelLoadException">A model, the ControlNet or a checkpoint cannot be loaded.</exception>
    /// <exception cref="TrainingDivergedException">The loss or gradient norm became NaN or infinite.</exception>
    /// <exception cref="TrainingCanceledException">The token was cancelled.</exception>
    /// <exception cref="CheckpointWriteException">A checkpoint could not be written.</exception>
    public TrainingResult Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        Report(progress, TrainingPhase.Loading, 0, 0, 0, null, 0, 0, TimeSpan.Zero, null);
        var device = TorchBackend.ResolveDevice(options.Device);
        if (options.CpuThreads is int threads)
        {
            torch.set_num_threads(threads);
        }

        var output = Path.GetFullPath(options.Output);
        Directory.CreateDirectory(output);
        var store = CheckpointStoreFactory?.Invoke(output, logger) ?? new CheckpointStore(output, logger);
        var resume = options.ResumeFrom is null ? null : store.Resolve(options.ResumeFrom);
        if (options.ResumeFrom is not null && resume is null)
        {
            TrainingLog.NothingToResume(logger, output);
        }

        var dataset = LoadData();
        var batchesPerEpoch = dataset.BatchesPerEpoch(options.BatchSize);
        var updatesPerEpoch = (batchesPerEpoch + options.GradientAccumulationSteps - 1) / options.GradientAccumulationSteps;
        var maxSteps = options.MaxTrainSteps ?? ((long)options.NumTrainEpochs * updatesPerEpoch);

        var networks = LoadNetworks(device, resume, out var controlNetConfig, out var textModels);
        var parameters = TrainableControlNet.Prepare(networks.ControlNet);
        networks.ControlNet.GradientCheckpointing = options.GradientCheckpointing;
        var optimizer = Own(new AdamW(parameters, options.AdamBeta1, options.AdamBeta2, options.AdamWeightDecay, options.AdamEpsilon));
        var schedule = new LearningRateScheduler(
            options.LearningRateScheduler, options.EffectiveLearningRate, options.LearningRateWarmupSteps, (int)Math.Min(maxSteps, int.MaxValue), options.LearningRateCycles, options.LearningRatePower);

        var (globalStep, batchesTrained, position) = (0L, 0L, new DataPosition(0, 0));
        if (resume is not null)
        {
            (globalStep, batchesTrained, position) = Restore(resume, dataset, optimizer);
        }

        LogStart(dataset, batchesPerEpoch, maxSteps, globalStep);
        using var log = TrainingCsvLog.Open(output, globalStep);
        using var validation = options.ValidationFrames is null || textModels is null
            ? null
            : new ValidationRunner(textModels, options, loggerFactory.CreateLogger<ValidationRunner>());
        var randomness = Randomness ?? new SeededTrainingRandomness(options.Seed);
        var step = new TrainingStep(networks);
        var (lastCheckpoint, lastCheckpointStep) = (resume, resume is null ? -1L : globalStep);
        if (resume is null && store.Latest is { } existing)
        {
            TrainingLog.StartingOverCheckpoints(logger, output, existing);
        }

        var (savedStep, savedBatches, savedPosition) = (globalStep, batchesTrained, position);
        var firstStep = globalStep;
        var sessionClock = Stopwatch.StartNew();

        using (var prefetcher = new BatchPrefetcher(dataset, position, options.BatchSize, options.PrefetchBatches, options.DataWorkers))
        {
            try
            {
                while (globalStep < maxSteps)
                {
                    var stepClock = Stopwatch.StartNew();
                    var (lossSum, batches, epoch) = (0.0, 0, position.Epoch);
                    bool sync;
                    do
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var batch = prefetcher.Next(cancellationToken);
                        epoch = batch.Position.Epoch;
                        sync = EndsAccumulation(batch.Position.Batch, batchesPerEpoch, options.GradientAccumulationSteps);
                        using (NewDisposeScope())
                        {
                            var result = step.Run(batch.GroundTruthTensor(), batch.LowResolutionTensor(), randomness.ForBatch(batchesTrained), options.GradientAccumulationSteps);
                            if (!result.IsFinite)
                            {
                                throw Diverged(globalStep + 1, $"the loss is {result.Loss}", batch, lastCheckpoint);
                            }

                            lossSum += result.Loss;
                        }

                        batches++;
                        batchesTrained++;
                        position = position.Next(batchesPerEpoch);
                    }
                    while (!sync);

                    var gradNorm = GradientClipping.ClipByTotalNorm(parameters.Select(p => p.Parameter), options.MaxGradNorm);
                    if (!double.IsFinite(gradNorm))
                    {
                        throw Diverged(globalStep + 1, $"the gradient norm is {gradNorm}", null, lastCheckpoint);
                    }

                    var learningRate = schedule.RateAt(globalStep);
                    optimizer.Step(learningRate);
                    optimizer.ZeroGrad();
                    globalStep++;
                    (savedStep, savedBatches, savedPosition) = (globalStep, batchesTrained, position);

                    var entry = new TrainingLogEntry(globalStep, epoch, lossSum / batches, learningRate, gradNorm, stepClock.Elapsed.TotalSeconds);
                    log.Append(entry);
                    var remaining = TimeSpan.FromTicks(sessionClock.Elapsed.Ticks / (globalStep - firstStep) * (maxSteps - globalStep));
                    Report(progress, TrainingPhase.Training, globalStep, maxSteps, epoch, entry.Loss, learningRate, gradNorm, stepClock.Elapsed, remaining);

                    if (globalStep % options.CheckpointingSteps == 0)
                    {
                        Report(progress, TrainingPhase.Checkpointing, globalStep, maxSteps, epoch, entry.Loss, learningRate, gradNorm, stepClock.Elapsed, remaining);
                        lastCheckpoint = store.Save(State(globalStep, batchesTrained, position, dataset, optimizer), controlNetConfig, networks.ControlNet, optimizer, options.CheckpointsTotalLimit);
                        lastCheckpointStep = globalStep;
                        LossCurvePlot.Write(output, log.Entries, logger);
                    }

                    if (validation is not null && globalStep % options.ValidationSteps == 0)
                    {
                        Report(progress, TrainingPhase.Validating, globalStep, maxSteps, epoch, entry.Loss, learningRate, gradNorm, stepClock.Elapsed, remaining);
                        validation.Run(globalStep, cancellationToken);
                    }

                    AfterStep?.Invoke(globalStep, networks.ControlNet);
                }
            }
            catch (OperationCanceledException e)
            {
                // Gradients of a partly accumulated step are dropped: the checkpoint holds the state after the last update.
                optimizer.ZeroGrad();
                string? saved = lastCheckpoint;
                if (savedStep > 0 && lastCheckpointStep != savedStep)
                {
                    saved = store.Save(State(savedStep, savedBatches, savedPosition, dataset, optimizer), controlNetConfig, networks.ControlNet, optimizer, options.CheckpointsTotalLimit);
                    LossCurvePlot.Write(output, log.Entries, logger);
                }

                throw new TrainingCanceledException(
                    $"Training was cancelled after step {savedStep}." + (saved is null ? " No step had finished, so nothing was saved." : $" The state is saved in '{saved}'; resume with --resume latest."),
                    saved,
                    e);
            }
        }

        store.WriteControlNet(output, controlNetConfig, networks.ControlNet);
        var curve = LossCurvePlot.Write(output, log.Entries, logger);
        TrainingLog.Finished(logger, globalStep, output);
        var last = log.Entries.LastOrDefault();
        Report(progress, TrainingPhase.Completed, globalStep, maxSteps, last?.Epoch ?? 0, last?.Loss, last?.LearningRate ?? 0, last?.GradNorm ?? 0, TimeSpan.FromSeconds(last?.Seconds ?? 0), TimeSpan.Zero);
        return new TrainingResult(globalStep, output, store.Latest, log.Path, curve);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            owned[i].Dispose();
        }

        owned.Clear();
    }

    /// <summary>
    /// Whether the batch at <paramref name="batchInEpoch"/> closes an optimizer step: after every
    /// <paramref name="accumulation"/> batches and at the end of each epoch, as accelerate syncs gradients (so an epoch
    /// whose batch count is not a multiple ends with a shorter accumulation, still divided by the full count).
    /// </summary>
    internal static bool EndsAccumulation(int batchInEpoch, int batchesPerEpoch, int accumulation) =>
        (batchInEpoch + 1) % accumulation == 0 || batchInEpoch == batchesPerEpoch - 1;

    private static TrainingDivergedException Diverged(long step, string what, TrainingBatch? batch, string? lastCheckpoint) => new(
        $"Training diverged at step {step}: {what}" + (batch is null ? "." : $" (batch of {string.Join(", ", batch.Keys)}).") +
        (lastCheckpoint is null ? " No checkpoint was written yet." : $" The last good checkpoint is '{lastCheckpoint}'.") +
        " Lower the learning rate or the max gradient norm, or use float32 frozen networks, and resume.",
        step,
        lastCheckpoint);

    private T Own<T>(T value)
        where T : IDisposable
    {
        owned.Add(value);
        return value;
    }

    private WindowDataset LoadData()
    {
        var sequences = TrainingDataIndex.Load(options.Data, options.MetadataFile, options.ExcludedPartition, WindowDataset.MinimumFrames(options.FrameIntervals), logger);
        var dataset = new WindowDataset(sequences, options.GtSize, options.FrameIntervals, options.HorizontalFlip, options.RandomReverse, options.Seed);
        dataset.CheckFirstFrames();
        if (dataset.Count < options.BatchSize)
        {
            TrainingLog.FewWindows(logger, dataset.Count, options.BatchSize);
        }

        return dataset;
    }

    /// <summary>
    /// The precisions of the frozen UNet and VAE for <paramref name="precision"/>. On the CPU, bfloat16 applies to the VAE
    /// only: the ControlNet's gradient flows back through the UNet, and libtorch's CPU bfloat16 kernels have given NaN
    /// gradients there (finite forward) on CPUs with native bfloat16, so that pass stays float32. The VAE stays float32
    /// beside a float16 UNet (its decoder breaks in float16); bfloat16 has float32's range.
    /// </summary>
    internal static (ModelPrecision Unet, ModelPrecision Vae) FrozenTypes(FrozenPrecision precision, DeviceType device) => precision switch
    {
        FrozenPrecision.BFloat16 when device == DeviceType.CPU => (ModelPrecision.Float32, ModelPrecision.BFloat16),
        FrozenPrecision.BFloat16 => (ModelPrecision.BFloat16, ModelPrecision.BFloat16),
        FrozenPrecision.Float16 => (ModelPrecision.Float16, ModelPrecision.Float32),
        _ => (ModelPrecision.Float32, ModelPrecision.Float32),
    };

    // The frozen networks and the ControlNet through the one model loader (folder layout, precision per network); the
    // ControlNet is made from the UNet or read from a folder or checkpoint. The text encoder encodes the prompt once and
    // stays only for validation runs.
    private TrainingNetworks LoadNetworks(Device device, string? resume, out string controlNetConfig, out StableVsrModels? validationModels)
    {
        var (unetPrecision, vaePrecision) = FrozenTypes(options.Precision, device.type);
        if (unetPrecision == ModelPrecision.Float16 && device.type != DeviceType.CUDA)
        {
            throw new InvalidInputException("Float16 frozen networks need a CUDA device (libtorch's CPU float16 convolutions are missing or very slow); use BFloat16 or Float32 on the CPU.");
        }

        var precision = PrecisionPolicy.Float32 with { Unet = unetPrecision, Vae = vaePrecision };
        string? config = null;
        var models = Own(new StableVsrModelLoader(loggerFactory).Load(ModelFolder, RaftFile, device, precision, unet => LoadControlNet(device, resume, unet, out config)));
        controlNetConfig = config!;
        models.Raft.NormStatistics = RaftNormStatistics.Batch;
        var scheduler = models.SchedulerConfig;
        var diffusion = new DiffusionTargets(scheduler);
        var promptEmbeds = Own(models.EncodePrompt(options.Prompt).DetachFromDisposeScope());
        if (options.ValidationFrames is null)
        {
            models.ReleaseTextEncoder();
            validationModels = null;
        }
        else
        {
            validationModels = models;
        }

        return new TrainingNetworks(models.Unet, models.Vae, models.Raft, models.ControlNet, diffusion, promptEmbeds, options.RaftIterations);
    }

    private ControlNetModel LoadControlNet(Device device, string? resume, UNet2DConditionModel unet, out string config)
    {
        var folder = resume is not null ? Path.Combine(resume, CheckpointStore.ControlNetFolder) : options.ControlNet;
        if (folder is null)
        {
            TrainingLog.ControlNetFromUnet(logger);
            config = ControlNetFromUnet.ConfigJson(Path.Combine(ModelFolder, "unet", CheckpointStore.ConfigFile), options.ConditioningEmbeddingChannels);
            return ControlNetFromUnet.Create(config, unet, options.Seed);
        }

        TrainingLog.LoadingControlNet(logger, folder);
        var configPath = Path.Combine(folder, CheckpointStore.ConfigFile);
        if (File.Exists(configPath))
        {
            ControlNetCompatibility.Check(ControlNetConfig.Load(configPath), unet.Config, folder);
        }

        var controlNet = ControlNetModel.FromPretrained(folder, device, ScalarType.Float32, logger);
        config = File.ReadAllText(configPath);
        return controlNet;
    }

    private (long GlobalStep, long BatchesTrained, DataPosition Position) Restore(string checkpoint, WindowDataset dataset, AdamW optimizer)
    {
        var state = CheckpointStore.ReadState(checkpoint);
        void Same<T>(string what, T saved, T now)
        {
            if (!EqualityComparer<T>.Default.Equals(saved, now))
            {
                throw new InvalidInputException($"Checkpoint '{checkpoint}' was trained with {what} {saved}, this run asks for {now}: resume with the same setting (or start a new run) so the run continues exactly.");
            }
        }

        Same("seed", state.Seed, options.Seed);
        Same("batch size", state.BatchSize, options.BatchSize);
        Same("gradient accumulation steps", state.GradientAccumulationSteps, options.GradientAccumulationSteps);
        if (state.WindowsPerEpoch != dataset.Count)
        {
            TrainingLog.DataChanged(logger, checkpoint, state.WindowsPerEpoch, dataset.Count);
        }

        CheckpointStore.RestoreOptimizer(checkpoint, optimizer);
        TrainingLog.Resuming(logger, checkpoint, state.GlobalStep);
        return (state.GlobalStep, state.BatchesTrained, new DataPosition(state.Epoch, state.BatchInEpoch));
    }

    private TrainingState State(long globalStep, long batchesTrained, DataPosition position, WindowDataset dataset, AdamW optimizer) => new()
    {
        GlobalStep = globalStep,
        BatchesTrained = batchesTrained,
        Epoch = position.Epoch,
        BatchInEpoch = position.Batch,
        Seed = options.Seed,
        BatchSize = options.BatchSize,
        GradientAccumulationSteps = options.GradientAccumulationSteps,
        WindowsPerEpoch = dataset.Count,
        LearningRateSchedulerSteps = globalStep,
        LearningRate = options.EffectiveLearningRate,
        LearningRateScheduler = options.LearningRateScheduler.ToString(),
        OptimizerSteps = optimizer.StepCount,
    };

    private void LogStart(WindowDataset dataset, int batchesPerEpoch, long maxSteps, long globalStep)
    {
        TrainingLog.Starting(
            logger,
            dataset.Count,
            batchesPerEpoch,
            options.BatchSize,
            options.GradientAccumulationSteps,
            options.BatchSize * options.GradientAccumulationSteps,
            maxSteps,
            globalStep,
            options.EffectiveLearningRate,
            options.LearningRateScheduler);
    }

    private void Report(IProgress<TrainingProgress>? progress, TrainingPhase phase, long step, long maxSteps, int epoch, double? loss, double learningRate, double gradNorm, TimeSpan stepTime, TimeSpan? remaining) =>
        progress?.Report(new TrainingProgress(phase, step, maxSteps, epoch, loss, learningRate, gradNorm, stepTime, clock.Elapsed, remaining));
}
