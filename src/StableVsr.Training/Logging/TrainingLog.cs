using Microsoft.Extensions.Logging;

namespace StableVsr.Training.Logging;

/// <summary>Every log message of training, source-generated with its event id (<see cref="LoggerEventIds"/>).</summary>
internal static partial class TrainingLog
{
    [LoggerMessage(EventId = LoggerEventIds.Starting, Level = LogLevel.Information, Message = "***** Running training ***** windows {Windows}, batches per epoch {Batches}, batch size {BatchSize}, accumulation {Accumulation}, total batch {Total}, steps {Steps} (from {Start}), lr {LearningRate} ({Schedule})")]
    public static partial void Starting(ILogger logger, int windows, int batches, int batchSize, int accumulation, int total, long steps, long start, double learningRate, LearningRateSchedule schedule);

    [LoggerMessage(EventId = LoggerEventIds.NothingToResume, Level = LogLevel.Information, Message = "No checkpoint in {Output} to resume from; starting a new run")]
    public static partial void NothingToResume(ILogger logger, string output);

    [LoggerMessage(EventId = LoggerEventIds.StartingOverCheckpoints, Level = LogLevel.Warning, Message = "{Output} already holds checkpoints (newest {Checkpoint}); this run starts fresh and replaces those of the same step numbers. Use --resume latest to continue instead.")]
    public static partial void StartingOverCheckpoints(ILogger logger, string output, string checkpoint);

    [LoggerMessage(EventId = LoggerEventIds.Finished, Level = LogLevel.Information, Message = "Training finished after {Steps} steps; the ControlNet is in {Output}")]
    public static partial void Finished(ILogger logger, long steps, string output);

    [LoggerMessage(EventId = LoggerEventIds.FewWindows, Level = LogLevel.Warning, Message = "The data has {Windows} window(s), fewer than the batch size {BatchSize}: every batch is one epoch")]
    public static partial void FewWindows(ILogger logger, int windows, int batchSize);

    [LoggerMessage(EventId = LoggerEventIds.ControlNetFromUnet, Level = LogLevel.Information, Message = "Initializing the ControlNet from the UNet (ControlNetModel.from_unet)")]
    public static partial void ControlNetFromUnet(ILogger logger);

    [LoggerMessage(EventId = LoggerEventIds.LoadingControlNet, Level = LogLevel.Information, Message = "Loading the ControlNet from {Folder}")]
    public static partial void LoadingControlNet(ILogger logger, string folder);

    [LoggerMessage(EventId = LoggerEventIds.DataChanged, Level = LogLevel.Warning, Message = "Checkpoint {Checkpoint} was trained on {Saved} windows per epoch, the data now has {Now}: the data order differs from the interrupted run")]
    public static partial void DataChanged(ILogger logger, string checkpoint, int saved, int now);

    [LoggerMessage(EventId = LoggerEventIds.Resuming, Level = LogLevel.Information, Message = "Resuming from {Checkpoint} at step {Step}")]
    public static partial void Resuming(ILogger logger, string checkpoint, long step);

    [LoggerMessage(EventId = LoggerEventIds.CheckpointSaved, Level = LogLevel.Information, Message = "Saved checkpoint {Folder}")]
    public static partial void CheckpointSaved(ILogger logger, string folder);

    [LoggerMessage(EventId = LoggerEventIds.CheckpointRemoved, Level = LogLevel.Information, Message = "Removing checkpoint {Folder} (limit {Limit})")]
    public static partial void CheckpointRemoved(ILogger logger, string folder, int limit);

    [LoggerMessage(EventId = LoggerEventIds.RemoveFailed, Level = LogLevel.Warning, Message = "Could not remove {Folder}: {Message}")]
    public static partial void RemoveFailed(ILogger logger, string folder, string message);

    [LoggerMessage(EventId = LoggerEventIds.HoldingOut, Level = LogLevel.Information, Message = "Holding out {Count} sequence(s) for validation ({Partition}): {Names}")]
    public static partial void HoldingOut(ILogger logger, int count, ExcludedPartition partition, string names);

    [LoggerMessage(EventId = LoggerEventIds.CurveFailed, Level = LogLevel.Warning, Message = "The loss curve could not be drawn ({Message}); the same numbers are in {Log}.")]
    public static partial void CurveFailed(ILogger logger, string message, string log);
}
