namespace StableVsr;

/// <summary>
/// Upscales video sequences 4x: frames in, frames out. StableVSR samples every frame of a window forwards and backwards
/// in turn, so no frame of a window is final before the whole window is: a sequence is read and upscaled window by
/// window, and each window's frames are yielded, in order, as soon as the window is done (memory stays flat in sequence
/// length). Paths, resumable runs and frame ranges are the job layer's (<c>StableVsr.Sampling.Jobs.UpscaleJobRunner</c>).
/// </summary>
public interface IVideoUpscaler : IDisposable
{
    /// <summary>Options the upscaler was created with.</summary>
    UpscaleOptions Options { get; }

    /// <summary>
    /// Upscales a sequence. The frames must all have the same size; their <see cref="VideoFrame.Index"/> and
    /// <see cref="VideoFrame.Name"/> are carried over to the output frames, which come out in input order.
    /// </summary>
    /// <param name="frames">The low-resolution frames, in order. At least one.</param>
    /// <param name="progress">Receives progress reports (phase, frame, step, elapsed time); may be null.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step.</param>
    /// <returns>The upscaled frames, 4x wider and 4x taller, in input order.</returns>
    /// <exception cref="InvalidInputException">No frames, or frames of mixed sizes.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    IAsyncEnumerable<VideoFrame> UpscaleAsync(
        IAsyncEnumerable<VideoFrame> frames,
        IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Upscales several independent sequences (for example a folder of sequences) in one run. An upscaler may process
    /// them together for throughput (StableVsr samples sequences of one frame size in the same network calls), but each
    /// sequence gets the result it would get alone, up to floating-point rounding.
    /// </summary>
    /// <param name="sequences">The sequences, each a list of frames of one size; at least one sequence.</param>
    /// <param name="progress">Receives progress reports; <see cref="UpscaleProgress.Sequence"/> says which sequence a report is about.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step.</param>
    /// <returns>The upscaled frames of each sequence, in input order.</returns>
    /// <exception cref="InvalidInputException">No sequence, an empty sequence, or frames of mixed sizes within a sequence.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    Task<IReadOnlyList<IReadOnlyList<VideoFrame>>> UpscaleSequencesAsync(
        IReadOnlyList<IReadOnlyList<VideoFrame>> sequences,
        IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default);
}
