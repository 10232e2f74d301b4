using System.Runtime.CompilerServices;
namespace StableVsr;

/// <summary>Convenience entry points over <see cref="IVideoUpscaler.UpscaleAsync"/> for frames held in memory.</summary>
public static class VideoUpscalerExtensions
{
    /// <summary>Upscales an in-memory sequence and returns the upscaled frames in order.</summary>
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
