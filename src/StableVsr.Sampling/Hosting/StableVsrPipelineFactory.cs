using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Pipeline;

namespace StableVsr.Sampling.Hosting;

/// <summary>
/// Creates <see cref="StableVsrPipeline"/>s: loads the models named by <see cref="StableVsrServiceOptions"/> on the
/// options' device and precision, and wraps them. Registered by <c>services.AddStableVsr(...)</c>; without dependency
/// injection, a host loads with <see cref="StableVsrModelLoader"/> and creates the <see cref="StableVsrPipeline"/> itself.
/// </summary>
internal sealed class StableVsrPipelineFactory : IVideoUpscalerFactory
{
    private readonly StableVsrModelLoader loader;
    private readonly StableVsrServiceOptions options;
    private readonly ILoggerFactory loggerFactory;

    /// <summary>Creates the factory.</summary>
    /// <param name="loader">Loads the models.</param>
    /// <param name="options">The weights and the default upscale options.</param>
    /// <param name="loggerFactory">Logging; null logs nothing.</param>
    public StableVsrPipelineFactory(StableVsrModelLoader loader, IOptions<StableVsrServiceOptions> options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentNullException.ThrowIfNull(options);
        this.loader = loader;
        this.options = options.Value;
        this.loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <inheritdoc />
    public async Task<IVideoUpscaler> CreateAsync(UpscaleOptions? upscaleOptions = null, CancellationToken cancellationToken = default)
    {
        upscaleOptions ??= options.Upscale;
        ArgumentNullException.ThrowIfNull(upscaleOptions);
        upscaleOptions.Validate();
        var models = await loader.LoadAsync(new ModelSource(options.Model, options.Raft), upscaleOptions.Device, upscaleOptions.Precision, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            return new StableVsrPipeline(models, upscaleOptions, loggerFactory.CreateLogger<StableVsrPipeline>());
        }
        catch
        {
            models.Dispose();
            throw;
        }
    }
}
