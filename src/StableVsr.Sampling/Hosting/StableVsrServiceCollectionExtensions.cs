using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StableVsr;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Hosting;

// The conventional namespace for service registrations, so that AddStableVsr shows up beside AddLogging.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers StableVsr in a host's services.</summary>
public static class StableVsrServiceCollectionExtensions
{
    /// <summary>
    /// Registers the model loader (<see cref="StableVsrModelLoader"/>) and an <see cref="IVideoUpscalerFactory"/> that
    /// creates StableVSR pipelines, configured by <paramref name="configure"/>. Upscalers load gigabytes of weights: a
    /// host creates one and keeps it (for example in a hosted service), rather than one per request. The options are
    /// checked when the host starts.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the weights and the default upscale options.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddStableVsr(this IServiceCollection services, Action<StableVsrServiceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddServices(services, services.AddOptions<StableVsrServiceOptions>().Configure(configure));
    }

    /// <summary>Registers StableVsr with the default options: the released checkpoint, torchvision's RAFT-large, the auto device.</summary>
    /// <param name="services">The host's services.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddStableVsr(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddServices(services, services.AddOptions<StableVsrServiceOptions>());
    }

    /// <summary>
    /// Registers StableVsr as <see cref="AddStableVsr(IServiceCollection, Action{StableVsrServiceOptions})"/> does, its
    /// options bound from <paramref name="configuration"/> (for example <c>builder.Configuration.GetSection("StableVsr")</c>
    /// over appsettings.json: <c>"Upscale": { "Device": "cuda:1", "Sampling": { "Steps": 20 } }</c>). A device name or value
    /// that cannot be used stops the host's start with a message that names it; nothing is silently left at its default.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The section holding <see cref="StableVsrServiceOptions"/>' keys.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddStableVsr(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddServices(services, services.AddOptions<StableVsrServiceOptions>().Bind(configuration));
    }

    private static IServiceCollection AddServices(IServiceCollection services, OptionsBuilder<StableVsrServiceOptions> options)
    {
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StableVsrServiceOptions>, StableVsrServiceOptionsValidator>());
        services.TryAddSingleton(provider => new StableVsrModelLoader(
            provider.GetService<ILoggerFactory>(),
            provider.GetRequiredService<IOptions<StableVsrServiceOptions>>().Value.Hub));
        services.TryAddSingleton<IVideoUpscalerFactory>(provider => new StableVsrPipelineFactory(
            provider.GetRequiredService<StableVsrModelLoader>(),
            provider.GetRequiredService<IOptions<StableVsrServiceOptions>>(),
            provider.GetService<ILoggerFactory>()));
        return services;
    }
}
