namespace StableVsr;

/// <summary>
/// Creates upscalers; what a host application gets from dependency injection (<c>services.AddStableVsr(...)</c>).
/// Creating one loads the networks (seconds and gigabytes for the real checkpoint): keep it for as many runs as
/// possible, and dispose it when done.
/// </summary>
public interface IVideoUpscalerFactory
{
    /// <summary>Loads the models and creates an upscaler.</summary>
    /// <param name="options">How the upscaler runs; null takes the options the factory was configured with.</param>
    /// <param name="cancellationToken">Cancels downloading and loading.</param>
    /// <exception cref="ModelLoadException">The weights cannot be found, downloaded or loaded.</exception>
    /// <exception cref="NativeBackendException">The backend or the device is not available.</exception>
    /// <exception cref="InvalidInputException">The options are invalid.</exception>
    Task<IVideoUpscaler> CreateAsync(UpscaleOptions? options = null, CancellationToken cancellationToken = default);
}
