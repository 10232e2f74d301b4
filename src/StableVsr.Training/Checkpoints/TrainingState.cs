using System.Text.Json.Serialization;

namespace StableVsr.Training.Checkpoints;

/// <summary>
/// Everything besides tensors that a checkpoint needs to continue exactly: counters, where the data stream stands, and
/// the settings that must not change on resume. Written as <c>training_state.json</c>.
/// </summary>
internal sealed record TrainingState
{
    /// <summary>Optimizer steps taken (train.py's <c>global_step</c>; the checkpoint folder is <c>checkpoint-{GlobalStep}</c>).</summary>
    [JsonPropertyName("global_step")]
    public long GlobalStep { get; init; }

    /// <summary>Batches trained on, which keys the random draws of the next batch.</summary>
    [JsonPropertyName("batches_trained")]
    public long BatchesTrained { get; init; }

    /// <summary>The epoch of the next batch.</summary>
    [JsonPropertyName("epoch")]
    public int Epoch { get; init; }

    /// <summary>The index of the next batch in its epoch.</summary>
    [JsonPropertyName("batch_in_epoch")]
    public int BatchInEpoch { get; init; }

    /// <summary>The seed every random draw derives from; the randomness has no other state.</summary>
    [JsonPropertyName("seed")]
    public long Seed { get; init; }

    /// <summary>Windows per batch.</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; }

    /// <summary>Batches per optimizer step.</summary>
    [JsonPropertyName("gradient_accumulation_steps")]
    public int GradientAccumulationSteps { get; init; }

    /// <summary>Windows per epoch when the checkpoint was written.</summary>
    [JsonPropertyName("windows_per_epoch")]
    public int WindowsPerEpoch { get; init; }

    /// <summary>The learning-rate schedule's step count (LambdaLR's <c>last_epoch</c>).</summary>
    [JsonPropertyName("lr_scheduler_steps")]
    public long LearningRateSchedulerSteps { get; init; }

    /// <summary>The base learning rate.</summary>
    [JsonPropertyName("learning_rate")]
    public double LearningRate { get; init; }

    /// <summary>The schedule's name.</summary>
    [JsonPropertyName("lr_scheduler")]
    public string LearningRateScheduler { get; init; } = string.Empty;

    /// <summary>AdamW's step count (torch's <c>state['step']</c>).</summary>
    [JsonPropertyName("optimizer_steps")]
    public long OptimizerSteps { get; init; }
}
