namespace StableVsr.Orleans.Grains;

/// <summary>A job's answer to a worker asking for work.</summary>
/// <param name="Lease">The segment to run, or null when the job has none for this worker now.</param>
/// <param name="Finished">Whether the job has finished: the registry forgets it.</param>
[GenerateSerializer, Immutable, Alias("StableVsr.LeaseOffer")]
internal sealed record LeaseOffer([property: Id(0)] SegmentLease? Lease, [property: Id(1)] bool Finished);
