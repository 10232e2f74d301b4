namespace StableVsr.Cli.Commands;

/// <summary>The values of <c>stablevsr upscale --scheduler</c>.</summary>
internal enum SchedulerChoice
{
    /// <summary>The checkpoint's own scheduler (its scheduler_config.json).</summary>
    Checkpoint,

    /// <summary>DDPM.</summary>
    Ddpm,

    /// <summary>DDIM, with --ddim-eta.</summary>
    Ddim,
}
