namespace StableVsr.Training.Steps;

/// <summary>The outcome of one forward and backward pass.</summary>
/// <param name="Loss">The batch's mean squared error (before division by the accumulation steps).</param>
/// <param name="IsFinite">False when the loss is NaN or infinite; no gradient was accumulated then.</param>
/// <param name="Intermediates">The step's tensors when they were asked for; the caller disposes them.</param>
internal sealed record TrainingStepResult(double Loss, bool IsFinite, TrainingStepIntermediates? Intermediates);
