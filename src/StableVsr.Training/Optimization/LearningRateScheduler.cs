namespace StableVsr.Training.Optimization;

/// <summary>
/// diffusers' <c>get_scheduler</c> schedules as PyTorch's <c>LambdaLR</c> applies them: the learning rate of the optimizer
/// step that follows <c>k</c> completed steps is <c>base_lr · factor(k)</c>, computed in double precision like Python.
/// The state is only <c>k</c>, so a checkpoint stores the step count and nothing else.
/// </summary>
/// <remarks>
/// train.py passes <c>lr_warmup_steps · num_processes</c> and <c>max_train_steps · num_processes</c> because accelerate
/// steps a prepared scheduler once per process; with the one process TorchSharp allows, both are the plain values.
/// </remarks>
internal sealed class LearningRateScheduler
{
    /// <summary>The rate the polynomial schedule decays to (diffusers' <c>lr_end</c> default).</summary>
    public const double PolynomialEndRate = 1e-7;

    private readonly LearningRateSchedule kind;
    private readonly double baseRate;
    private readonly int warmupSteps;
    private readonly int trainingSteps;
    private readonly int cycles;
    private readonly double power;

    public LearningRateScheduler(LearningRateSchedule kind, double baseRate, int warmupSteps, int trainingSteps, int cycles = 1, double power = 1.0)
    {
        this.kind = kind;
        this.baseRate = baseRate;
        this.warmupSteps = warmupSteps;
        this.trainingSteps = trainingSteps;
        this.cycles = cycles;
        this.power = power;
    }

    /// <summary>The learning rate of the optimizer step taken after <paramref name="completedSteps"/> steps.</summary>
    public double RateAt(long completedSteps) => baseRate * Factor(completedSteps);

    /// <summary><c>lr_lambda(current_step)</c> of the schedule.</summary>
    public double Factor(long step)
    {
        if (kind == LearningRateSchedule.Constant)
        {
            return 1.0;
        }

        if (step < warmupSteps)
        {
            // constant_with_warmup divides by max(1.0, warmup), the others by max(1, warmup): the same number.
            return step / (double)Math.Max(1, warmupSteps);
        }

        var decaySteps = (double)Math.Max(1, trainingSteps - warmupSteps);
        var progress = (step - warmupSteps) / decaySteps;
        switch (kind)
        {
            case LearningRateSchedule.ConstantWithWarmup:
                return 1.0;
            case LearningRateSchedule.Linear:
                return Math.Max(0.0, (trainingSteps - step) / decaySteps);
            case LearningRateSchedule.Cosine:
                // diffusers' cosine schedule uses its default of half a period (get_scheduler passes no cycles to it).
                return Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * 0.5 * 2.0 * progress)));
            case LearningRateSchedule.CosineWithRestarts:
                if (progress >= 1.0)
                {
                    return 0.0;
                }

                return Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * (((double)cycles * progress) % 1.0))));
            case LearningRateSchedule.Polynomial:
                if (step > trainingSteps)
                {
                    return PolynomialEndRate / baseRate;
                }

                var remaining = 1 - ((step - warmupSteps) / (double)(trainingSteps - warmupSteps));
                return (((baseRate - PolynomialEndRate) * Math.Pow(remaining, power)) + PolynomialEndRate) / baseRate;
            default:
                throw new InvalidInputException($"Unknown learning-rate schedule {kind}.");
        }
    }
}
