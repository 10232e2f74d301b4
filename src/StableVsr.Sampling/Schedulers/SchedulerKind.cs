namespace StableVsr.Sampling.Schedulers;

/// <summary>The noise schedulers StableVsr implements.</summary>
public enum SchedulerKind
{
    /// <summary>diffusers' <c>DDPMScheduler</c>: ancestral sampling, the scheduler StableVSR ships with.</summary>
    Ddpm,

    /// <summary>diffusers' <c>DDIMScheduler</c>: deterministic for eta 0, so fewer steps can be traded for speed.</summary>
    Ddim,
}
