using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// diffusers 0.21.1's <c>DDIMScheduler</c> (Song et al., arXiv 2010.02502). With <see cref="Eta"/> 0 a step is
/// deterministic, so fewer steps can be traded for time; with eta above 0 it adds the caller's variance noise
/// scaled by eta·sigma_t. Every coefficient is a float32 0-dim tensor combined in the same order as diffusers.
/// </summary>
public sealed class DdimScheduler : INoiseScheduler
{
    private readonly float[] alphasCumprod;
    private readonly float finalAlphaCumprod;
    private long[] timesteps;

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
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.TrainedBetas is null && config.BetaSchedule == BetaSchedule.Sigmoid)
        {
            throw new UnsupportedConfigException(
                "beta_schedule", "sigmoid", config.Source, "diffusers' DDIMScheduler has no sigmoid schedule; use the DDPM scheduler for this config.");
        }

        if (!double.IsFinite(eta) || eta < 0)
        {
            throw new InvalidInputException($"DDIM eta must be a finite number of 0 or more (0: deterministic, 1: DDPM-like noise); got {eta}.");
        }

        Config = config;
        Eta = eta;
        UseClippedModelOutput = useClippedModelOutput;
        alphasCumprod = NoiseSchedule.AlphasCumprod(config, config.RescaleBetasZeroSnr);
        finalAlphaCumprod = config.SetAlphaToOne ? 1f : alphasCumprod[0];
        timesteps = TimestepSchedule.All(config.NumTrainTimesteps);
    }

    /// <summary>The weight of the variance noise each step adds (0: deterministic DDIM).</summary>
    public double Eta { get; }

    /// <summary>Whether the predicted noise is re-derived from the clipped x0.</summary>
    public bool UseClippedModelOutput { get; }

    /// <summary>alpha_bar_t, the cumulative product of (1 − beta) for every training timestep, as float32 (diffusers' <c>alphas_cumprod</c>).</summary>
    public IReadOnlyList<float> AlphasCumprod => Array.AsReadOnly(alphasCumprod);

    /// <inheritdoc/>
    public SchedulerKind Kind => SchedulerKind.Ddim;

    /// <inheritdoc/>
    public SchedulerConfig Config { get; }

    /// <inheritdoc/>
    public IReadOnlyList<long> Timesteps => Array.AsReadOnly(timesteps);

    /// <inheritdoc/>
    public int? NumInferenceSteps { get; private set; }

    /// <inheritdoc/>
    public double InitNoiseSigma => 1.0;

    /// <inheritdoc/>
    public void SetTimesteps(int numInferenceSteps)
    {
        timesteps = TimestepSchedule.Spaced(Config, numInferenceSteps);
        NumInferenceSteps = numInferenceSteps;
    }

    /// <inheritdoc/>
    public bool NeedsVarianceNoise(long timestep) => Eta > 0;

    /// <inheritdoc/>
    public Tensor ScaleModelInput(Tensor sample, long timestep) => sample;

    /// <inheritdoc/>
    /// <exception cref="InvalidInputException">Also when <see cref="SetTimesteps"/> has not been called: DDIM's step size depends on it.</exception>
    public SchedulerStepResult Step(Tensor modelOutput, long timestep, Tensor sample, Tensor? varianceNoise = null)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        if (NumInferenceSteps is not { } steps)
        {
            throw new InvalidInputException("The DDIM scheduler's number of inference steps is not set: call SetTimesteps before Step.");
        }

        StepChecks.IndexInSchedule(timesteps, timestep, Config.NumTrainTimesteps, "DDIM");
        StepChecks.SameShape(modelOutput, sample, "model output");
        var addNoise = NeedsVarianceNoise(timestep);
        if (addNoise)
        {
            StepChecks.NoiseFor(varianceNoise, sample, timestep);
        }

        using var scope = NewDisposeScope();
        var prevTimestep = timestep - (Config.NumTrainTimesteps / steps);
        var alphaProdT = tensor(alphasCumprod[timestep]);
        var alphaProdTPrev = tensor(prevTimestep >= 0 ? alphasCumprod[prevTimestep] : finalAlphaCumprod);
        var betaProdT = 1 - alphaProdT;

        // Formula (12) of the DDIM paper: x0 and the noise it implies.
        Tensor predOriginal;
        Tensor predEpsilon;
        switch (Config.PredictionType)
        {
            case PredictionType.Epsilon:
                predOriginal = (sample - (betaProdT.pow(0.5) * modelOutput)) / alphaProdT.pow(0.5);
                predEpsilon = modelOutput;
                break;
            case PredictionType.Sample:
                predOriginal = modelOutput.alias();
                predEpsilon = (sample - (alphaProdT.pow(0.5) * predOriginal)) / betaProdT.pow(0.5);
                break;
            case PredictionType.VPrediction:
                predOriginal = (alphaProdT.pow(0.5) * sample) - (betaProdT.pow(0.5) * modelOutput);
                predEpsilon = (alphaProdT.pow(0.5) * modelOutput) + (betaProdT.pow(0.5) * sample);
                break;
            default:
                throw new UnsupportedConfigException("prediction_type", Config.PredictionType.ToString(), Config.Source);
        }

        predOriginal = PredictedSampleClipping.Apply(predOriginal, Config);

        // Formula (16): sigma_t(eta).
        var betaProdTPrev = 1 - alphaProdTPrev;
        var variance = betaProdTPrev / betaProdT * (1 - (alphaProdT / alphaProdTPrev));
        var stdDevT = Eta * variance.pow(0.5);

        if (UseClippedModelOutput)
        {
            predEpsilon = (sample - (alphaProdT.pow(0.5) * predOriginal)) / betaProdT.pow(0.5);
        }

        var predSampleDirection = (1 - alphaProdTPrev - stdDevT.pow(2)).pow(0.5) * predEpsilon;
        var prevSample = (alphaProdTPrev.pow(0.5) * predOriginal) + predSampleDirection;
        if (addNoise)
        {
            prevSample = prevSample + (stdDevT * varianceNoise!);
        }

        return new SchedulerStepResult(prevSample.MoveToOuterDisposeScope(), predOriginal.MoveToOuterDisposeScope());
    }
}
