using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// A diffusion noise scheduler with diffusers 0.21.1 semantics. Call <see cref="SetTimesteps"/>, start from noise
/// scaled by <see cref="InitNoiseSigma"/>, then call <see cref="Step"/> for each of <see cref="Timesteps"/> in order.
/// Randomness never comes from inside: a step that adds noise takes it from the caller, so results are reproducible
/// whatever the order in which frames are processed. Instances hold no native memory. <see cref="SetTimesteps"/>
/// changes state, so one instance must not be reconfigured while another thread steps with it.
/// This base holds what every scheduler shares (the config, alpha_bar, the timestep schedule and the x0 formulas);
/// a new scheduler is a subclass plus one line in <see cref="SchedulerFactory"/>.
/// </summary>
internal abstract class NoiseScheduler
{
    private readonly float[] alphasCumprod;

    /// <summary>Sets the config and alpha_bar; the schedule starts as every training timestep.</summary>
    protected NoiseScheduler(SchedulerConfig config, float[] alphasCumprod)
    {
        Config = config;
        this.alphasCumprod = alphasCumprod;
        Schedule = TimestepSchedule.All(config.NumTrainTimesteps);
    }

    /// <summary>The diffusers class this scheduler reproduces (the <c>_class_name</c> of its config).</summary>
    public abstract string ClassName { get; }

    /// <summary>The config the scheduler was built from.</summary>
    public SchedulerConfig Config { get; }

    /// <summary>alpha_bar_t, the cumulative product of (1 − beta) for every training timestep, as float32 (diffusers' <c>alphas_cumprod</c>).</summary>
    public IReadOnlyList<float> AlphasCumprod => Array.AsReadOnly(alphasCumprod);

    /// <summary>The timesteps of the current schedule, in the order they are stepped (descending).</summary>
    public IReadOnlyList<long> Timesteps => Array.AsReadOnly(Schedule);

    /// <summary>The number of inference steps set by <see cref="SetTimesteps"/>; null before it is called (or for custom timesteps).</summary>
    public int? NumInferenceSteps { get; protected set; }

    /// <summary>The standard deviation of the initial noise (1 for DDPM and DDIM).</summary>
    public virtual double InitNoiseSigma => 1.0;

    /// <summary>The current schedule.</summary>
    protected long[] Schedule { get; set; }

    /// <summary>Chooses <paramref name="numInferenceSteps"/> timesteps according to the config's spacing and offset.</summary>
    /// <exception cref="InvalidInputException">The count is below 1 or above <c>num_train_timesteps</c>.</exception>
    public virtual void SetTimesteps(int numInferenceSteps)
    {
        Schedule = TimestepSchedule.Spaced(Config, numInferenceSteps);
        NumInferenceSteps = numInferenceSteps;
    }

    /// <summary>Whether <see cref="Step"/> at <paramref name="timestep"/> adds variance noise, i.e. needs the caller's noise.</summary>
    public abstract bool NeedsVarianceNoise(long timestep);

    /// <summary>Scales the denoising model's input for <paramref name="timestep"/>; DDPM and DDIM return <paramref name="sample"/> itself.</summary>
    public virtual Tensor ScaleModelInput(Tensor sample, long timestep) => sample;

    /// <summary>
    /// One reverse-diffusion step: from the model output at <paramref name="timestep"/> and the current
    /// <paramref name="sample"/>, computes the previous sample and the predicted x0.
    /// </summary>
    /// <param name="modelOutput">The denoising model's output, shaped like <paramref name="sample"/>.</param>
    /// <param name="timestep">The current timestep; must belong to <see cref="Timesteps"/>.</param>
    /// <param name="sample">x_t.</param>
    /// <param name="varianceNoise">Standard normal noise shaped like <paramref name="sample"/>; required when
    /// <see cref="NeedsVarianceNoise"/> is true for this timestep, ignored otherwise.</param>
    /// <exception cref="InvalidInputException">Shapes disagree, the timestep is not in the schedule, or needed noise is missing.</exception>
    public abstract SchedulerStepResult Step(Tensor modelOutput, long timestep, Tensor sample, Tensor? varianceNoise = null);

    /// <summary>alpha_bar at <paramref name="timestep"/> as a float32 0-dim tensor, or <paramref name="beforeStart"/> for a negative timestep.</summary>
    protected Tensor AlphaProd(long timestep, float beforeStart = 1f) => tensor(timestep >= 0 ? alphasCumprod[timestep] : beforeStart);

    /// <summary>
    /// x0 predicted from the model output as the config's <c>prediction_type</c> says (formula 15 of the DDPM paper,
    /// or its v-prediction form), before clipping.
    /// </summary>
    protected Tensor PredictOriginal(Tensor output, Tensor sample, Tensor alphaProdT, Tensor betaProdT) => Config.PredictionType switch
    {
        PredictionType.Epsilon => (sample - (betaProdT.Power(0.5) * output)) / alphaProdT.Power(0.5),
        PredictionType.Sample => output.alias(),
        PredictionType.VPrediction => (alphaProdT.Power(0.5) * sample) - (betaProdT.Power(0.5) * output),
        _ => throw new UnsupportedConfigException("prediction_type", Config.PredictionType.ToString(), Config.Source),
    };
}
