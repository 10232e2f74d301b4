using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// diffusers 0.21.1's <c>DDIMScheduler</c> (Song et al., arXiv 2010.02502). With <see cref="Eta"/> 0 a step is
/// deterministic, so fewer steps can be traded for time; with eta above 0 it adds the caller's variance noise
/// scaled by eta·sigma_t. Every coefficient is a float32 0-dim tensor combined in the same order as diffusers.
/// </summary>
internal sealed class DdimScheduler : NoiseScheduler
{
    private readonly float finalAlphaCumprod;

    /// <summary>
    /// Builds the scheduler from a config, as <c>DDIMScheduler.from_config</c> would: DDPM-only keys
    /// (<c>variance_type</c>) are ignored, and keys a DDPM config lacks keep DDIM's defaults (<c>set_alpha_to_one</c> true).
    /// </summary>
    /// <param name="config">The scheduler config.</param>
    /// <param name="eta">The weight of the added noise (diffusers' <c>step(eta=...)</c>): 0 is DDIM, 1 matches DDPM's variance.</param>
    /// <param name="useClippedModelOutput">Re-derive the predicted noise from the clipped x0 (diffusers' <c>use_clipped_model_output</c>).</param>
    /// <exception cref="UnsupportedConfigException">The <c>sigmoid</c> beta schedule, which diffusers' DDIM does not have.</exception>
    /// <exception cref="InvalidInputException"><paramref name="eta"/> is negative or not finite.</exception>
    public DdimScheduler(SchedulerConfig config, double eta = 0.0, bool useClippedModelOutput = false)
        : base(CheckConfig(config), NoiseSchedule.AlphasCumprod(config, config.RescaleBetasZeroSnr))
    {
        if (!double.IsFinite(eta) || eta < 0)
        {
            throw new InvalidInputException($"DDIM eta must be a finite number of 0 or more (0: deterministic, 1: DDPM-like noise); got {eta}.");
        }

        Eta = eta;
        UseClippedModelOutput = useClippedModelOutput;
        finalAlphaCumprod = config.SetAlphaToOne ? 1f : AlphasCumprod[0];
    }

    /// <summary>The weight of the variance noise each step adds (0: deterministic DDIM).</summary>
    public double Eta { get; }

    /// <summary>Whether the predicted noise is re-derived from the clipped x0.</summary>
    public bool UseClippedModelOutput { get; }

    /// <inheritdoc/>
    public override string ClassName => DdimSchedulerOptions.DiffusersClassName;

    /// <inheritdoc/>
    public override bool NeedsVarianceNoise(long timestep) => Eta > 0;

    /// <inheritdoc/>
    /// <exception cref="InvalidInputException">Also when <see cref="NoiseScheduler.SetTimesteps(int)"/> has not been called: DDIM's step size depends on it.</exception>
    public override SchedulerStepResult Step(Tensor modelOutput, long timestep, Tensor sample, Tensor? varianceNoise = null)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        if (NumInferenceSteps is not { } steps)
        {
            throw new InvalidInputException("The DDIM scheduler's number of inference steps is not set: call SetTimesteps before Step.");
        }

        StepChecks.IndexInSchedule(Schedule, timestep, Config.NumTrainTimesteps, "DDIM");
        StepChecks.SameShape(modelOutput, sample, "model output");
        var addNoise = NeedsVarianceNoise(timestep);
        if (addNoise)
        {
            StepChecks.NoiseFor(varianceNoise, sample, timestep);
        }

        using var scope = NewDisposeScope();
        var prevTimestep = timestep - (Config.NumTrainTimesteps / steps);
        var alphaProdT = AlphaProd(timestep);
        var alphaProdTPrev = AlphaProd(prevTimestep, finalAlphaCumprod);
        var betaProdT = alphaProdT.SubtractedFrom(1);

        // Formula (12) of the DDIM paper: x0 and the noise it implies.
        var predOriginal = PredictOriginal(modelOutput, sample, alphaProdT, betaProdT);
        var predEpsilon = Config.PredictionType switch
        {
            PredictionType.Epsilon => modelOutput,
            PredictionType.Sample => (sample - (alphaProdT.Power(0.5) * predOriginal)) / betaProdT.Power(0.5),
            _ => (alphaProdT.Power(0.5) * modelOutput).Plus(betaProdT.Power(0.5) * sample),
        };
        predOriginal = PredictedSampleClipping.Apply(predOriginal, Config);

        // Formula (16): sigma_t(eta).
        var betaProdTPrev = alphaProdTPrev.SubtractedFrom(1);
        var variance = betaProdTPrev / betaProdT * (alphaProdT / alphaProdTPrev).SubtractedFrom(1);
        var stdDevT = variance.Power(0.5).Times(Eta);

        if (UseClippedModelOutput)
        {
            predEpsilon = (sample - (alphaProdT.Power(0.5) * predOriginal)) / betaProdT.Power(0.5);
        }

        var predSampleDirection = (alphaProdTPrev.SubtractedFrom(1) - stdDevT.Power(2)).Power(0.5) * predEpsilon;
        var prevSample = (alphaProdTPrev.Power(0.5) * predOriginal).Plus(predSampleDirection);
        if (addNoise)
        {
            prevSample = prevSample.Plus(stdDevT * varianceNoise!);
        }

        return new SchedulerStepResult(prevSample.MoveToOuterDisposeScope(), predOriginal.MoveToOuterDisposeScope());
    }

    private static SchedulerConfig CheckConfig(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.TrainedBetas is null && config.BetaSchedule == BetaSchedule.Sigmoid)
        {
            throw new UnsupportedConfigException(
                "beta_schedule", "sigmoid", config.Source, "diffusers' DDIMScheduler has no sigmoid schedule; use the DDPM scheduler for this config.");
        }

        return config;
    }
}
