using StableVsr.Orleans.Grains;

namespace StableVsr.Orleans.Workers;

/// <summary>What a runner is given for one attempt at a segment.</summary>
/// <param name="Lease">The segment, its options and which attempt this is.</param>
/// <param name="Staging">Where to write (the output is renamed into place by the worker afterwards).</param>
/// <param name="Committed">
/// Called after each window is durable, with the frames committed so far and the frame count when known; it tells the
/// job grain, and cancels the attempt when the lease is lost.
/// </param>
internal sealed record SegmentWork(SegmentLease Lease, SegmentStaging Staging, Func<int, int?, CancellationToken, Task> Committed);
