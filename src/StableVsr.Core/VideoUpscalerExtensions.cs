using System.Runtime.CompilerServices;
using StableVsr.Imaging;

namespace StableVsr;

/// <summary>Convenience entry points over <see cref="IVideoUpscaler.UpscaleAsync"/>: lists of frames and image folders.</summary>
public static class VideoUpscalerExtensions
{
    /// <summary>Upscales an in-memory clip and returns the upscaled frames in order.</summary>
    /// <exception cref="InvalidInputException">No frames, or frames of mixed sizes.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    public static async Task<IReadOnlyList<VideoFrame>> UpscaleAsync(
        this IVideoUpscaler upscaler,
        IReadOnlyList<VideoFrame> frames,
        IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upscaler);
        ArgumentNullException.ThrowIfNull(frames);
        var results = new List<VideoFrame>(frames.Count);
        await foreach (var frame in upscaler.UpscaleAsync(ToAsync(frames), progress, cancellationToken).ConfigureAwait(false))
        {
            results.Add(frame);
        }

        return results;
    }

    /// <summary>
    /// Upscales the clip in <paramref name="inputFolder"/> (PNG, JPEG or BMP frames in natural file-name order) and
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
        ImageFolder.ListFrameFiles(inputFolder);
        var writer = new ImageFolderWriter(outputFolder);
        var written = new List<string>();
        try
        {
            await foreach (var frame in upscaler.UpscaleAsync(ImageFolder.ReadFramesAsync(inputFolder, cancellationToken), progress, cancellationToken).ConfigureAwait(false))
            {
                written.Add(await writer.WriteAsync(frame, cancellationToken).ConfigureAwait(false));
            }
        }
        catch (OperationCanceledException e)
        {
            throw new UpscaleCanceledException($"Upscaling '{inputFolder}' was cancelled; {written.Count} complete frame(s) were written to '{outputFolder}'.", e);
        }

        return written;
    }

    private static async IAsyncEnumerable<VideoFrame> ToAsync(IReadOnlyList<VideoFrame> frames, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var frame in frames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return frame;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
