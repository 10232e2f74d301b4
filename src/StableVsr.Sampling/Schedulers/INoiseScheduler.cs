using StableVsr.Weights.Configs;
using TorchSharp;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// A diffusion noise scheduler with diffusers 0.21.1 semantics. Call <see cref="SetTimesteps"/>, start from noise
/// scaled by <see cref="InitNoiseSigma"/>, then call <see cref="Step"/> for each of <see cref="Timesteps"/> in order.
/// Randomness never comes from inside: a step that adds noise takes it from the caller, so results are reproducible
/// whatever the order in which frames are processed. Instances hold no native memory. <see cref="SetTimesteps"/>
/// changes state, so one instance must not be reconfigured while another thread steps with it.
/// </summary>
public interface INoiseScheduler
{
    /// <summary>Which scheduler this is.</summary>
    SchedulerKind Kind { get; }

    /// <summary>The config the scheduler was built from.</summary>
    SchedulerConfig Config { get; }

    /// <summary>The timesteps of the current schedule, in the order they are stepped (descending).</summary>
    IReadOnlyList<long> Timesteps { get; }

    /// <summary>The number of inference steps set by <see cref="SetTimesteps"/>; null before it is called (or for custom timesteps).</summary>
    int? NumInferenceSteps { get; }

    /// <summary>The standard deviation of the initial noise (1 for DDPM and DDIM).</summary>
    double InitNoiseSigma { get; }

    /// <summary>Chooses <paramref name="numInferenceSteps"/> timesteps according to the config's spacing and offset.</summary>
    /// <exception cref="InvalidInputException">The count is below 1 or above <c>num_train_timesteps</c>.</exception>
    void SetTimesteps(int numInferenceSteps);

    /// <summary>Whether <see cref="Step"/> at <paramref name="timestep"/> adds variance noise, i.e. needs the caller's noise.</summary>
    bool NeedsVarianceNoise(long timestep);

    /// <summary>Scales the denoising model's input for <paramref name="timestep"/>; DDPM and DDIM return <paramref name="sample"/> itself.</summary>
    torch.Tensor ScaleModelInput(torch.Tensor sample, long timestep);

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
    SchedulerStepResult Step(torch.Tensor modelOutput, long timestep, torch.Tensor sample, torch.Tensor? varianceNoise = null);
}
