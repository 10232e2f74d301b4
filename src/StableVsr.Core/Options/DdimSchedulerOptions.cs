namespace StableVsr;

/// <summary>DDIM (diffusers' <c>DDIMScheduler</c>) built from the checkpoint's config: good results with fewer steps.</summary>
public sealed record DdimSchedulerOptions : SchedulerOptions
{
    /// <summary>The <c>_class_name</c> diffusers writes for this scheduler.</summary>
    public const string DiffusersClassName = "DDIMScheduler";

    /// <inheritdoc />
    public override string ClassName => DiffusersClassName;

    /// <summary>DDIM's eta: 0 (the default) is deterministic, 1 adds DDPM-like variance noise. At least 0.</summary>
    public double Eta { get; init; }
}
