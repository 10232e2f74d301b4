namespace StableVsr.Tests.Weights.Hub;

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress&lt;T&gt; posts asynchronously, too late for asserts).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
