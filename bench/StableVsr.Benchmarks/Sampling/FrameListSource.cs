using StableVsr.IO;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>Frames held in memory as a frame source (one yield per frame, as a decoder hands them over).</summary>
internal sealed class FrameListSource(IReadOnlyList<VideoFrame> frames) : IFrameSource
{
    public string Description => "frames in memory";

    public ValueTask<int?> CountFramesAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<int?>(frames.Count);

    public async IAsyncEnumerable<VideoFrame> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var frame in frames)
        {
            await Task.Yield();
            yield return frame;
        }
    }

    public ValueTask<string> FingerprintAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult("frames in memory");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
