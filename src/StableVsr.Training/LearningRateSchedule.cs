namespace StableVsr.Training;

/// <summary>
/// The learning-rate schedules of diffusers' <c>get_scheduler</c> (train.py's <c>--lr_scheduler</c>), each a factor of
/// the base learning rate as a function of the number of optimizer steps already taken.
/// </summary>
public enum LearningRateSchedule
{
    /// <summary><c>constant</c>: the base rate throughout; warmup steps are ignored (train.py's default).</summary>
    Constant,

    /// <summary><c>constant_with_warmup</c>: linear from 0 to the base rate over the warmup steps, then constant.</summary>
    ConstantWithWarmup,

    /// <summary><c>linear</c>: warmup, then linear decay to 0 at the last training step.</summary>
    Linear,

    /// <summary><c>cosine</c>: warmup, then half a cosine from the base rate to 0 at the last training step.</summary>
    Cosine,

    /// <summary><c>cosine_with_restarts</c>: warmup, then <see cref="TrainingOptions.LearningRateCycles"/> cosine decays, each restarting at the base rate.</summary>
    CosineWithRestarts,

    /// <summary><c>polynomial</c>: warmup, then a decay to 1e-7 with exponent <see cref="TrainingOptions.LearningRatePower"/>.</summary>
    Polynomial,
}
