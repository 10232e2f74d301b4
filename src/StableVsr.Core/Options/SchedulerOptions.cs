namespace StableVsr;

/// <summary>
/// Which noise scheduler samples the frames, with that scheduler's own settings. Each kind is keyed by the
/// <c>_class_name</c> diffusers writes in <c>scheduler_config.json</c>; it is built from the checkpoint's scheduler
/// config (betas, timestep spacing, prediction type), so only what the config lacks is set here.
/// </summary>
public abstract record SchedulerOptions
{
    /// <summary>The diffusers class this scheduler reproduces (the <c>_class_name</c> of a scheduler config).</summary>
    public abstract string ClassName { get; }
}
