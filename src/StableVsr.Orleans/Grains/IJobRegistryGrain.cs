namespace StableVsr.Orleans.Grains;

/// <summary>
/// The cluster's list of unfinished jobs (one grain, key <see cref="StableVsrClusterDefaults.RegistryKey"/>), through
/// which idle workers find work: each asks for a lease and gets the first pending segment of the oldest job that has
/// one for its model. Workers also register here, so a worker with another model is refused up front.
/// </summary>
[Alias("StableVsr.IJobRegistryGrain")]
internal interface IJobRegistryGrain : IGrainWithStringKey
{
    /// <summary>Adds a submitted job (idempotent).</summary>
    [Alias("AddJob")]
    Task AddJobAsync(string jobId);

    /// <summary>The unfinished jobs, oldest first.</summary>
    [Alias("GetJobs")]
    Task<IReadOnlyList<string>> GetJobsAsync();

    /// <summary>Registers a worker; refused (with the reason) when a live worker reports another model fingerprint.</summary>
    [Alias("RegisterWorker")]
    Task<string?> RegisterWorkerAsync(WorkerIdentity worker);

    /// <summary>A segment for <paramref name="worker"/>, or null when no job has one now.</summary>
    [Alias("Lease")]
    Task<SegmentLease?> LeaseAsync(WorkerIdentity worker);
}
