using StableVsr.Weights.Configs;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// Builds a scheduler from a config: the kind named by the config's <c>_class_name</c>, or the one asked for,
/// in which case the config is read the way diffusers' <c>XScheduler.from_config</c> reads another scheduler's
/// config (keys the chosen scheduler does not know are ignored; keys it needs take its defaults).
/// </summary>
public static class SchedulerFactory
{
    /// <summary>diffusers' class name of each kind, as written in <c>_class_name</c>.</summary>
    /// <exception cref="InvalidInputException"><paramref name="kind"/> is not a defined <see cref="SchedulerKind"/>.</exception>
    public static string ClassName(SchedulerKind kind) => kind switch
    {
        SchedulerKind.Ddpm => "DDPMScheduler",
        SchedulerKind.Ddim => "DDIMScheduler",
        _ => throw new InvalidInputException($"Unknown scheduler kind {kind}; use {nameof(SchedulerKind.Ddpm)} or {nameof(SchedulerKind.Ddim)}."),
    };

    /// <summary>Creates the scheduler.</summary>
    /// <param name="config">The scheduler config (usually <c>scheduler/scheduler_config.json</c>).</param>
    /// <param name="kind">The scheduler to build; null builds the one the config's <c>_class_name</c> names.</param>
    /// <param name="eta">DDIM's noise weight (ignored for DDPM, whose noise is fixed by <c>variance_type</c>).</param>
    /// <exception cref="UnsupportedConfigException"><paramref name="kind"/> is null and <c>_class_name</c> is missing or names a scheduler StableVsr does not implement, or the config asks for an option the scheduler lacks.</exception>
    /// <exception cref="InvalidInputException"><paramref name="eta"/> is negative or not finite, or <paramref name="kind"/> is not a defined kind.</exception>
    public static INoiseScheduler FromConfig(SchedulerConfig config, SchedulerKind? kind = null, double eta = 0.0)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (kind ?? KindOf(config)) switch
        {
            SchedulerKind.Ddpm => new DdpmScheduler(config),
            SchedulerKind.Ddim => new DdimScheduler(config, eta),
            var other => throw new InvalidInputException($"Unknown scheduler kind {other}; use {nameof(SchedulerKind.Ddpm)} or {nameof(SchedulerKind.Ddim)}."),
        };
    }

    private static SchedulerKind KindOf(SchedulerConfig config)
    {
        foreach (var kind in Enum.GetValues<SchedulerKind>())
        {
            if (string.Equals(config.ClassName, ClassName(kind), StringComparison.Ordinal))
            {
                return kind;
            }
        }

        throw new UnsupportedConfigException(
            "_class_name",
            config.ClassName,
            config.Source,
            "StableVsr implements DDPMScheduler and DDIMScheduler; choose one of them explicitly to build it from this config.");
    }
}
