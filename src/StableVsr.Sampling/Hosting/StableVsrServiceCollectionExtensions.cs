using Microsoft.Extensions.DependencyInjection;
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
    /// host creates one and keeps it (for example in a hosted service), rather than one per request.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the weights and the default upscale options; null keeps the defaults (the released checkpoint, auto device).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddStableVsr(this IServiceCollection services, Action<StableVsrServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<StableVsrServiceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

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
