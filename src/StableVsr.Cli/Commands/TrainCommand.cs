using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using StableVsr.Models.Raft;
using StableVsr.Training;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr train</c>: trains StableVSR's Temporal Conditioning Module (its ControlNet) as train.py does. The common
/// train.py options are flags; every <see cref="TrainingOptions"/> property can also come from a JSON file
/// (<c>--config</c>), which flags override. Ctrl+C saves a checkpoint of the last finished step and exits with 130.
/// </summary>
internal static class TrainCommand
{
    private static readonly JsonSerializerOptions ConfigJson = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var defaults = new TrainingOptions();
        var data = new Option<string?>("--data") { Description = "Training data: a folder with hr/ and lr/, each holding one subfolder of frames per sequence (REDS layout)." };
        var model = new Option<string?>("--model", "-m") { Description = $"StableVSR model folder (diffusers layout) or Hub id (train.py --pretrained_model_name_or_path). Default {defaults.Model}." };
        var controlNet = new Option<string?>("--controlnet") { Description = "ControlNet folder to continue from (--controlnet_model_name_or_path); default: a new one made from the UNet." };
        var raft = new Option<string?>("--raft") { Description = "RAFT-large weights (.pth or .safetensors); default: torchvision's through the torch hub cache." };
        var output = new Option<string?>("--output", "-o") { Description = $"Folder for checkpoints, logs and the trained ControlNet (--output_dir). Default {defaults.Output}." };
        var config = new Option<FileInfo?>("--config") { Description = "JSON file of TrainingOptions (property names as in docs/training.md); flags override it." };
        var metadata = new Option<string?>("--metadata") { Description = "REDS metadata file (meta_info_file); default: every sequence folder under hr/." };
        var heldOut = new Option<ExcludedPartition?>("--held-out") { Description = "Sequences held out for validation (val_partition): reds4 (000, 011, 015, 020), redsofficial (240-269) or none. Default reds4." };
        var maxSteps = new Option<int?>("--max-steps") { Description = "Optimizer steps (--max_train_steps); default: --epochs epochs." };
        var epochs = new Option<int?>("--epochs") { Description = $"Epochs when --max-steps is not given (--num_train_epochs). Default {defaults.NumTrainEpochs}." };
        var checkpointing = new Option<int?>("--checkpointing-steps") { Description = $"A checkpoint every N steps. Default {defaults.CheckpointingSteps}." };
        var checkpointLimit = new Option<int?>("--checkpoints-total-limit") { Description = "Keep at most N checkpoints. Default: all." };
        var batchSize = new Option<int?>("--batch-size") { Description = $"Windows per batch (--train_batch_size; train.sh: 8). Default {defaults.BatchSize}." };
        var accumulation = new Option<int?>("--gradient-accumulation-steps") { Description = $"Batches per optimizer step (use the GPU count of train.sh, 4, to reproduce its global batch). Default {defaults.GradientAccumulationSteps}." };
        var gtSize = new Option<int?>("--gt-size") { Description = $"Ground-truth crop side in px (gt_size): a multiple of 8, at least {new RaftConfig().MinImageSide} (RAFT's flow is NaN below). Default {defaults.GtSize}." };
        var learningRate = new Option<double?>("--learning-rate") { Description = $"Learning rate (train.sh: 5e-5). Default {defaults.LearningRate}." };
        var scheduler = new Option<LearningRateSchedule?>("--lr-scheduler") { Description = $"Learning-rate schedule. Default {defaults.LearningRateScheduler}." };
        var warmup = new Option<int?>("--lr-warmup-steps") { Description = $"Warmup steps of the schedule. Default {defaults.LearningRateWarmupSteps}." };
        var maxGradNorm = new Option<double?>("--max-grad-norm") { Description = $"Gradient clipping norm. Default {defaults.MaxGradNorm}." };
        var seed = new Option<long?>("--seed") { Description = $"Seed of data order, crops, noise and timesteps. Default {defaults.Seed}." };
        var precision = new Option<FrozenPrecision?>("--precision") { Description = "Frozen UNet/VAE precision (--mixed_precision): float32, bfloat16 (on the CPU the VAE only: the UNet carries the gradient and stays float32), or float16 (CUDA only). Default float32." };
        var gradientCheckpointing = new Option<bool>("--gradient-checkpointing") { Description = "Recompute the ControlNet's down blocks in the backward pass to save memory." };
        var validationFrames = new Option<string?>("--validation-frames") { Description = "Folder of LR frames upscaled with the current ControlNet every --validation-steps." };
        var validationGroundTruth = new Option<string?>("--validation-gt") { Description = "Ground-truth frames of --validation-frames (4x): each validation then writes PSNR and SSIM to validation/metrics.csv." };
        var validationSteps = new Option<int?>("--validation-steps") { Description = $"Steps between validations. Default {defaults.ValidationSteps}." };
        var resume = new Option<string?>("--resume") { Description = "'latest' or a checkpoint folder to continue from exactly (--resume_from_checkpoint)." };
        var device = new Option<string?>("--device") { Description = "auto, cpu, cuda or cuda:N. Default auto." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: libtorch's choice)." };
        var workers = new Option<int?>("--workers") { Description = $"Threads decoding frames in the background (--dataloader_num_workers). Default {defaults.DataWorkers}." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log loading and checkpoint details." };

        var command = new Command("train", "Train StableVSR's temporal conditioning module (ControlNet) as train.py does.")
        {
            data, model, controlNet, raft, output, config, metadata, heldOut, maxSteps, epochs, checkpointing, checkpointLimit, batchSize, accumulation, gtSize,
            learningRate, scheduler, warmup, maxGradNorm, seed, precision, gradientCheckpointing, validationFrames, validationGroundTruth, validationSteps, resume, device, threads,
            workers, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var options = ReadConfig(result.GetValue(config));
                options = options with
                {
                    Data = result.GetValue(data) ?? options.Data,
                    Model = result.GetValue(model) ?? options.Model,
                    ControlNet = result.GetValue(controlNet) ?? options.ControlNet,
                    Raft = result.GetValue(raft) ?? options.Raft,
                    Output = result.GetValue(output) ?? options.Output,
                    MetadataFile = result.GetValue(metadata) ?? options.MetadataFile,
                    ExcludedPartition = result.GetValue(heldOut) ?? options.ExcludedPartition,
                    MaxTrainSteps = result.GetValue(maxSteps) ?? options.MaxTrainSteps,
                    NumTrainEpochs = result.GetValue(epochs) ?? options.NumTrainEpochs,
                    CheckpointingSteps = result.GetValue(checkpointing) ?? options.CheckpointingSteps,
                    CheckpointsTotalLimit = result.GetValue(checkpointLimit) ?? options.CheckpointsTotalLimit,
                    BatchSize = result.GetValue(batchSize) ?? options.BatchSize,
                    GradientAccumulationSteps = result.GetValue(accumulation) ?? options.GradientAccumulationSteps,
                    GtSize = result.GetValue(gtSize) ?? options.GtSize,
                    LearningRate = result.GetValue(learningRate) ?? options.LearningRate,
                    LearningRateScheduler = result.GetValue(scheduler) ?? options.LearningRateScheduler,
                    LearningRateWarmupSteps = result.GetValue(warmup) ?? options.LearningRateWarmupSteps,
                    MaxGradNorm = result.GetValue(maxGradNorm) ?? options.MaxGradNorm,
                    Seed = result.GetValue(seed) ?? options.Seed,
                    Precision = result.GetValue(precision) ?? options.Precision,
                    GradientCheckpointing = result.GetValue(gradientCheckpointing) || options.GradientCheckpointing,
                    ValidationFrames = result.GetValue(validationFrames) ?? options.ValidationFrames,
                    ValidationGroundTruth = result.GetValue(validationGroundTruth) ?? options.ValidationGroundTruth,
                    ValidationSteps = result.GetValue(validationSteps) ?? options.ValidationSteps,
                    ResumeFrom = result.GetValue(resume) ?? options.ResumeFrom,
                    Device = result.GetValue(device) is { } name ? ComputeDevice.Parse(name) : options.Device,
                    CpuThreads = result.GetValue(threads) ?? options.CpuThreads,
                    DataWorkers = result.GetValue(workers) ?? options.DataWorkers,
                };
                return await RunAsync(options, result.GetValue(verbose), cancellationToken).ConfigureAwait(false);
            }
            catch (StableVsrException e)
            {
                return CommandFailures.Report(e);
            }
        });
        return command;
    }

    /// <summary>Reads a JSON file of <see cref="TrainingOptions"/>; null gives the defaults.</summary>
    /// <exception cref="InvalidInputException">The file is missing, not JSON, or names an unknown option.</exception>
    internal static TrainingOptions ReadConfig(FileInfo? file)
    {
        if (file is null)
        {
            return new TrainingOptions();
        }

        try
        {
            return JsonSerializer.Deserialize<TrainingOptions>(File.ReadAllText(file.FullName), ConfigJson)
                ?? throw new InvalidInputException($"Training config '{file.FullName}' is empty: give a JSON object of TrainingOptions.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"Training config '{file.FullName}' cannot be read: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"Training config '{file.FullName}' is not a valid TrainingOptions JSON object: {e.Message}", e);
        }
    }

    private static async Task<int> RunAsync(TrainingOptions options, bool verbose, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning));
        var bar = new TrainingProgressBar(Console.Error, !Console.IsErrorRedirected);
        try
        {
            Console.Error.WriteLine($"Training the ControlNet of {options.Model} on {options.Data} into {options.Output} ...");
            var result = await ControlNetTrainer.TrainAsync(options, bar, loggerFactory, cancellationToken: cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine($"trained {result.Steps} step(s); ControlNet written to {result.ControlNetFolder} (use it with: stablevsr upscale --controlnet {result.ControlNetFolder})");
            Console.Error.WriteLine($"log: {result.Log}" + (result.LossCurve is null ? string.Empty : $", loss curve: {result.LossCurve}") + (result.LastCheckpoint is null ? string.Empty : $", last checkpoint: {result.LastCheckpoint}"));
            return ExitCodes.Ok;
        }
        catch (TrainingCanceledException e)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("Cancelled: " + e.Message);
            return ExitCodes.Canceled;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("Cancelled before training started; nothing was written.");
            return ExitCodes.Canceled;
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("error: " + e.Message);
            return ExitCodes.TrainingFailed;
        }
        catch (CheckpointWriteException e)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("error: " + e.Message);
            return ExitCodes.TrainingFailed;
        }
    }
}
