namespace StableVsr;

/// <summary>The sampler that turns noise into frames.</summary>
public enum SchedulerKind
{
    /// <summary>DDPM, as StableVSR uses it (the checkpoint's own scheduler config). Default.</summary>
    Ddpm,

    /// <summary>DDIM built from the same config: deterministic with eta 0, good results with fewer steps.</summary>
    Ddim,
}
