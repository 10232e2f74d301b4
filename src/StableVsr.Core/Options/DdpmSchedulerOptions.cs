namespace StableVsr;

/// <summary>DDPM (diffusers' <c>DDPMScheduler</c>), StableVSR's own scheduler. It has no settings beyond the checkpoint's config.</summary>
public sealed record DdpmSchedulerOptions : SchedulerOptions
{
    /// <summary>The <c>_class_name</c> diffusers writes for this scheduler.</summary>
    public const string DiffusersClassName = "DDPMScheduler";

    /// <inheritdoc />
    public override string ClassName => DiffusersClassName;
}
