using StableVsr.IO;

namespace StableVsr.Benchmarks.Sampling;

/// <summary>A frame sink that keeps every frame it is given, in order, in memory.</summary>
internal sealed class CollectingFrameSink : IFrameSink
{
    public List<VideoFrame> Frames { get; } = [];

    public string Description => "memory";

    public ValueTask ResumeAsync(int committedFrames, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask WriteAsync(VideoFrame frame, CancellationToken cancellationToken = default)
    {
        Frames.Add(frame);
        return ValueTask.CompletedTask;
    }

    public ValueTask CommitAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
