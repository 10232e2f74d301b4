namespace StableVsr.Training;

/// <summary>What a training run is doing when it reports progress.</summary>
public enum TrainingPhase
{
    /// <summary>Loading the networks and indexing the data.</summary>
    Loading,

    /// <summary>Training: a report after every optimizer step.</summary>
    Training,

    /// <summary>Writing a checkpoint.</summary>
    Checkpointing,

    /// <summary>Upscaling the validation frames with the current ControlNet.</summary>
    Validating,

    /// <summary>Done: the final ControlNet is written.</summary>
    Completed,
}
