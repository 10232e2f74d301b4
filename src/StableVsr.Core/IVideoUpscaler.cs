namespace StableVsr;

/// <summary>
/// Upscales a video clip 4x. Diffusion-based upscaling looks at the whole clip before any frame is final
/// (StableVSR samples every frame forwards and backwards in turn), so upscaled frames are yielded, in order,
/// once the clip has been read and denoised.
/// </summary>
public interface IVideoUpscaler : IDisposable
{
    /// <summary>Options the upscaler was created with.</summary>
    UpscaleOptions Options { get; }

    /// <summary>
    /// Upscales a clip. The frames must all have the same size; their <see cref="VideoFrame.Index"/> and
    /// <see cref="VideoFrame.Name"/> are carried over to the output frames, which come out in input order.
    /// </summary>
    /// <param name="frames">The low-resolution frames, in clip order. At least one.</param>
    /// <param name="progress">Receives progress reports (phase, frame, step, elapsed time); may be null.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step.</param>
    /// <returns>The upscaled frames, 4x wider and 4x taller, in input order.</returns>
    /// <exception cref="InvalidInputException">No frames, or frames of mixed sizes.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    IAsyncEnumerable<VideoFrame> UpscaleAsync(
        IAsyncEnumerable<VideoFrame> frames,
        IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default);
}
