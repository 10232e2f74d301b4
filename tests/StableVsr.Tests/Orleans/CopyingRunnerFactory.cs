using StableVsr.IO;
using StableVsr.Orleans.Workers;

namespace StableVsr.Tests.Orleans;

/// <summary>
/// Workers without a model, for tests of the cluster itself: a segment's frames are copied to its staging output one
/// "window" (frame) at a time, after <paramref name="costPerFrame"/>, reporting each commit as the real runner does.
/// </summary>
internal sealed class CopyingRunnerFactory(TimeSpan costPerFrame, string fingerprint = "copying-runner") : ISegmentRunnerFactory
{
    public IReadOnlyList<ComputeDevice> Devices { get; } = [ComputeDevice.Cpu];

    public Task<ISegmentRunner> CreateAsync(ComputeDevice device, CancellationToken cancellationToken) =>
        Task.FromResult<ISegmentRunner>(new Runner(costPerFrame, fingerprint));

    private sealed class Runner(TimeSpan costPerFrame, string fingerprint) : ISegmentRunner
    {
        public string Device => "cpu";

        public string ModelFingerprint => fingerprint;

        public async Task<int> RunAsync(SegmentWork work, CancellationToken cancellationToken)
        {
            var source = new ImageFolderSource(work.Lease.Sequence.Input);
            await using var sink = new ImageFolderSink(work.Staging.StagingOutput);
            var count = 0;
            await foreach (var frame in source.ReadAsync(cancellationToken))
            {
                await Task.Delay(costPerFrame, cancellationToken);
                await sink.WriteAsync(frame, cancellationToken);
                await work.Committed(++count, await source.CountFramesAsync(cancellationToken), cancellationToken);
            }

            return count;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
