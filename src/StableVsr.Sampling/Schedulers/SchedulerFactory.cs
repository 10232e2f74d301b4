using StableVsr.Weights.Configs;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// Builds a scheduler from a config: the one the <see cref="SchedulerOptions"/> ask for, or else the one the config's
/// <c>_class_name</c> names. A config read for another scheduler is read the way diffusers' <c>XScheduler.from_config</c>
/// reads it: keys the chosen scheduler does not know are ignored, keys it needs take its defaults.
/// </summary>
internal static class SchedulerFactory
{
    /// <summary>Every implemented scheduler, keyed by diffusers' <c>_class_name</c>.</summary>
    private static readonly Dictionary<string, Func<SchedulerConfig, SchedulerOptions?, NoiseScheduler>> Registry = new(StringComparer.Ordinal)
    {
        [DdpmSchedulerOptions.DiffusersClassName] = (config, _) => new DdpmScheduler(config),
        [DdimSchedulerOptions.DiffusersClassName] = (config, options) => new DdimScheduler(config, (options as DdimSchedulerOptions)?.Eta ?? 0.0),
    };

    /// <summary>Creates the scheduler.</summary>
    /// <param name="config">The scheduler config (usually <c>scheduler/scheduler_config.json</c>).</param>
    /// <param name="options">The scheduler to build and its settings; null builds the one the config's <c>_class_name</c> names, with default settings.</param>
    /// <exception cref="UnsupportedConfigException">The scheduler asked for (or named by the config) is not implemented, or the config asks for an option it lacks.</exception>
    /// <exception cref="InvalidInputException">A setting is out of range (a negative DDIM eta).</exception>
    public static NoiseScheduler FromConfig(SchedulerConfig config, SchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var className = options?.ClassName ?? config.ClassName;
        if (className is null || !Registry.TryGetValue(className, out var create))
        {
            throw new UnsupportedConfigException(
                "_class_name",
                className,
                config.Source,
                $"StableVsr implements {string.Join(" and ", Registry.Keys)}; choose one of them explicitly (SamplingOptions.Scheduler) to build it from this config.");
        }

        return create(config, options);
    }
}
