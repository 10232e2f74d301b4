namespace StableVsr.IO;

/// <summary>Runs an <see cref="IVideoUpscaler"/> from a frame source into a frame sink, such as image folders.</summary>
public static class VideoUpscalerIOExtensions
{
    /// <summary>
    /// Upscales every frame of <paramref name="source"/> into <paramref name="sink"/>, writing each frame as soon as the
    /// upscaler yields it, then completes the sink. A cancelled or failed run leaves the sink incomplete (no partial file).
    /// </summary>
    /// <returns>The number of frames written.</returns>
    /// <exception cref="InvalidInputException">The source is empty or corrupt, its frames differ in size, or a frame cannot be written.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    public static async Task<int> UpscaleAsync(
        this IVideoUpscaler upscaler,
        IFrameSource source,
        IFrameSink sink,
        IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upscaler);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sink);
        var written = 0;
        try
        {
            await foreach (var frame in upscaler.UpscaleAsync(source.ReadAsync(cancellationToken), progress, cancellationToken).ConfigureAwait(false))
            {
                await sink.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                written++;
            }

            await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw new UpscaleCanceledException($"Upscaling '{source.Description}' was cancelled; {written} complete frame(s) were written to '{sink.Description}'.", e);
        }

        return written;
    }

    /// <summary>
    /// Upscales the sequence in <paramref name="inputFolder"/> (PNG, JPEG or BMP frames in natural file-name order) and
    /// writes one PNG per frame into <paramref name="outputFolder"/>, named after the input file. Files appear only
    /// once complete; a cancelled or failed run leaves no partial file.
    /// </summary>
    /// <returns>The paths written, in frame order.</returns>
    /// <exception cref="InvalidInputException">The folder is missing or empty, a file is corrupt, or sizes differ.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    public static async Task<IReadOnlyList<string>> UpscaleFolderAsync(
        this IVideoUpscaler upscaler,
        string inputFolder,
        string outputFolder,
        IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upscaler);
        ImageFolderSource.ListFrameFiles(inputFolder);
        await using var source = new ImageFolderSource(inputFolder);
        await using var sink = new ImageFolderSink(outputFolder);
        await upscaler.UpscaleAsync(source, sink, progress, cancellationToken).ConfigureAwait(false);
        return sink.WrittenFiles;
    }
}
