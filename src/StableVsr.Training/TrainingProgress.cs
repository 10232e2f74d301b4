namespace StableVsr.Training;

/// <summary>A progress report of a training run.</summary>
/// <param name="Phase">What the run is doing.</param>
/// <param name="Step">Optimizer steps done (train.py's <c>global_step</c>).</param>
/// <param name="MaxSteps">Optimizer steps the run will take.</param>
/// <param name="Epoch">The epoch the last batch came from (0-based).</param>
/// <param name="Loss">The last step's loss (mean over its accumulated batches); null before the first step.</param>
/// <param name="LearningRate">The learning rate of the last step.</param>
/// <param name="GradNorm">The total gradient norm of the last step, before clipping.</param>
/// <param name="StepTime">Wall-clock time of the last step.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="EstimatedRemaining">The time left at this run's average step time; null before the first step.</param>
public sealed record TrainingProgress(
    TrainingPhase Phase,
    long Step,
    long MaxSteps,
    int Epoch,
    double? Loss,
    double LearningRate,
    double GradNorm,
    TimeSpan StepTime,
    TimeSpan Elapsed,
    TimeSpan? EstimatedRemaining)
{
    /// <summary>The fraction of steps done, in [0, 1].</summary>
    public double Fraction => MaxSteps == 0 ? 1 : Math.Clamp(Step / (double)MaxSteps, 0, 1);
}
