using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// diffusers 0.21.1's <c>DDPMScheduler</c> (Ho et al., arXiv 2006.11239), the scheduler StableVSR samples with.
/// Every coefficient is a float32 0-dim tensor combined in the same order as diffusers, so results match it to
/// float32 rounding. Variance noise is passed in by the caller instead of drawn from a generator.
/// </summary>
/// <remarks>
/// One deliberate difference: for <c>variance_type</c> <c>fixed_large_log</c>, diffusers takes the square root of
/// log(beta_t), which is negative, so every noisy step returns NaN. Here the noise is scaled by
/// exp(0.5 · log(beta_t)), the standard deviation that variance type stands for (Glide's "max_log").
/// </remarks>
internal sealed class DdpmScheduler : NoiseScheduler
{
    // diffusers clamps the posterior variance before taking its log so log(0) never occurs.
    private const double MinVariance = 1e-20;

    private bool customTimesteps;

    /// <summary>Builds the scheduler from a config; <c>set_alpha_to_one</c> is a DDIM key and is ignored, as diffusers does.</summary>
    /// <exception cref="UnsupportedConfigException"><c>rescale_betas_zero_snr</c> is set: diffusers 0.21.1's DDPM has no such option.</exception>
    public DdpmScheduler(SchedulerConfig config)
        : base(CheckConfig(config), NoiseSchedule.AlphasCumprod(config, rescaleZeroTerminalSnr: false))
    {
    }

    /// <inheritdoc/>
    public override string ClassName => DdpmSchedulerOptions.DiffusersClassName;

    /// <inheritdoc/>
    public override void SetTimesteps(int numInferenceSteps)
    {
        base.SetTimesteps(numInferenceSteps);
        customTimesteps = false;
    }

    /// <summary>
    /// Uses an explicit list of timesteps instead of a spaced schedule (diffusers' <c>set_timesteps(timesteps=...)</c>);
    /// each step then goes to the next timestep of the list, and the last to timestep −1.
    /// </summary>
    /// <exception cref="InvalidInputException">The list is empty, not strictly descending, or starts at or above <c>num_train_timesteps</c>.</exception>
    public void SetTimesteps(IReadOnlyList<long> customTimesteps)
    {
        ArgumentNullException.ThrowIfNull(customTimesteps);
        if (customTimesteps.Count == 0)
        {
            throw new InvalidInputException("Custom timesteps must contain at least one timestep.");
        }

        for (var i = 1; i < customTimesteps.Count; i++)
        {
            if (customTimesteps[i] >= customTimesteps[i - 1])
            {
                throw new InvalidInputException(
                    $"Custom timesteps must be in strictly descending order; timestep {customTimesteps[i]} at index {i} follows {customTimesteps[i - 1]}.");
            }
        }

        if (customTimesteps[0] >= Config.NumTrainTimesteps)
        {
            throw new InvalidInputException(
                $"Custom timesteps must start below num_train_timesteps ({Config.NumTrainTimesteps}); the first is {customTimesteps[0]}.");
        }

        if (customTimesteps[^1] < 0)
        {
            throw new InvalidInputException($"Custom timesteps must not be negative; the last is {customTimesteps[^1]}.");
        }

        Schedule = customTimesteps.ToArray();
        NumInferenceSteps = null;
        this.customTimesteps = true;
    }

    /// <inheritdoc/>
    public override bool NeedsVarianceNoise(long timestep) => timestep > 0;

    /// <inheritdoc/>
    /// <remarks>
    /// For <c>learned</c> and <c>learned_range</c>, <paramref name="modelOutput"/> may carry twice the channels of
    /// <paramref name="sample"/>: the second half is the predicted variance. At timestep 0 no noise is added and
    /// <paramref name="varianceNoise"/> is ignored, as in diffusers.
    /// </remarks>
    public override SchedulerStepResult Step(Tensor modelOutput, long timestep, Tensor sample, Tensor? varianceNoise = null)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        var index = StepChecks.IndexInSchedule(Schedule, timestep, Config.NumTrainTimesteps, "DDPM");
        var learned = Config.VarianceType is VarianceType.Learned or VarianceType.LearnedRange;
        var splitVariance = learned && StepChecks.HasDoubledChannels(modelOutput, sample);
        if (!splitVariance)
        {
            StepChecks.SameShape(modelOutput, sample, "model output");
        }

        var addNoise = NeedsVarianceNoise(timestep);
        if (addNoise)
        {
            StepChecks.NoiseFor(varianceNoise, sample, timestep);
            if (learned && !splitVariance)
            {
                throw new InvalidInputException(
                    $"variance_type '{Config.VarianceType}' needs the model output to carry the predicted variance as extra channels " +
                    $"({sample.shape[1] * 2} channels for a sample of {sample.shape[1]}); got shape [{string.Join(", ", modelOutput.shape)}].");
            }
        }

        using var scope = NewDisposeScope();
        var output = modelOutput;
        Tensor? predictedVariance = null;
        if (splitVariance)
        {
            var halves = modelOutput.split(sample.shape[1], 1);
            output = halves[0];
            predictedVariance = halves[1];
        }

        var prevTimestep = PreviousTimestep(index, timestep);
        var alphaProdT = AlphaProd(timestep);
        var alphaProdTPrev = AlphaProd(prevTimestep);
        var betaProdT = alphaProdT.SubtractedFrom(1);
        var betaProdTPrev = alphaProdTPrev.SubtractedFrom(1);
        var currentAlphaT = alphaProdT / alphaProdTPrev;
        var currentBetaT = currentAlphaT.SubtractedFrom(1);

        var predOriginal = PredictedSampleClipping.Apply(PredictOriginal(output, sample, alphaProdT, betaProdT), Config);

        // Formula (7): the posterior mean from x0 and x_t.
        var predOriginalCoeff = alphaProdTPrev.Power(0.5) * currentBetaT / betaProdT;
        var currentSampleCoeff = currentAlphaT.Power(0.5) * betaProdTPrev / betaProdT;
        var prevSample = (predOriginalCoeff * predOriginal).Plus(currentSampleCoeff * sample);

        if (addNoise)
        {
            var variance = (betaProdTPrev / betaProdT * currentBetaT).clamp(ScalarCache.Of(MinVariance));
            var noiseScale = Config.VarianceType switch
            {
                VarianceType.FixedSmall => variance.Power(0.5),
                VarianceType.FixedSmallLog => variance.log().Times(0.5).exp(),
                VarianceType.FixedLarge => currentBetaT.Power(0.5),
                VarianceType.FixedLargeLog => currentBetaT.log().Times(0.5).exp(),
                VarianceType.Learned => predictedVariance!.Power(0.5),
                VarianceType.LearnedRange => LearnedRangeLogVariance(predictedVariance!, variance, currentBetaT).Times(0.5).exp(),
                _ => throw new UnsupportedConfigException("variance_type", Config.VarianceType.ToString(), Config.Source),
            };
            prevSample = prevSample.Plus(noiseScale * varianceNoise!);
        }

        return new SchedulerStepResult(prevSample.MoveToOuterDisposeScope(), predOriginal.MoveToOuterDisposeScope());
    }

    // Improved DDPM (arXiv 2102.09672): the model's value v in [-1, 1] interpolates the log variance between
    // the posterior variance and beta_t.
    private static Tensor LearnedRangeLogVariance(Tensor predictedVariance, Tensor variance, Tensor currentBetaT)
    {
        var minLog = variance.log();
        var maxLog = currentBetaT.log();
        var fraction = predictedVariance.Plus(1).DividedBy(2);
        return (fraction * maxLog).Plus(fraction.SubtractedFrom(1) * minLog);
    }

    private long PreviousTimestep(int index, long timestep)
    {
        if (customTimesteps)
        {
            return index == Schedule.Length - 1 ? -1 : Schedule[index + 1];
        }

        var steps = NumInferenceSteps ?? Config.NumTrainTimesteps;
        return timestep - (Config.NumTrainTimesteps / steps);
    }

    private static SchedulerConfig CheckConfig(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.RescaleBetasZeroSnr)
        {
            throw new UnsupportedConfigException(
                "rescale_betas_zero_snr", true, config.Source, "diffusers 0.21.1's DDPMScheduler has no zero-SNR rescaling; use the DDIM scheduler or remove the key.");
        }

        return config;
    }
}
