namespace StableVsr.Tests.Support;

/// <summary>An <see cref="IProgress{T}"/> that calls its handler on the reporting thread (Progress&lt;T&gt; posts asynchronously).</summary>
public sealed class SynchronousProgress(Action<UpscaleProgress> handler) : IProgress<UpscaleProgress>
{
    /// <inheritdoc />
    public void Report(UpscaleProgress value) => handler(value);
}
