namespace StableVsr.Training.Logging;

/// <summary>One optimizer step in the training log.</summary>
/// <param name="Step">The optimizer step (1-based, train.py's <c>global_step</c> after the step).</param>
/// <param name="Epoch">The epoch its last batch came from.</param>
/// <param name="Loss">The mean loss of the batches accumulated into the step.</param>
/// <param name="LearningRate">The learning rate the step used.</param>
/// <param name="GradNorm">The total gradient norm before clipping.</param>
/// <param name="Seconds">Wall-clock seconds the step took (data wait included).</param>
internal sealed record TrainingLogEntry(long Step, int Epoch, double Loss, double LearningRate, double GradNorm, double Seconds);
