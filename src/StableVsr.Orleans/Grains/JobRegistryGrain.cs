using Orleans.Runtime;

namespace StableVsr.Orleans.Grains;

/// <summary>
/// The job registry. Work is pulled, not pushed: a worker asks only when its device is free, so "one segment per device
/// at a time" and "placed where a device is free" hold by construction, and a busy or dead silo is never sent work.
/// The registry calls job grains and never the reverse, so the two cannot wait on each other.
/// </summary>
internal sealed class JobRegistryGrain(
    [PersistentState("registry", StableVsrClusterDefaults.StorageName)] IPersistentState<RegistryState> registry,
    IClusterMembershipService membership) : Grain, IJobRegistryGrain
{
    /// <inheritdoc />
    public async Task AddJobAsync(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        if (!registry.State.Jobs.Contains(jobId))
        {
            registry.State.Jobs.Add(jobId);
            await registry.WriteStateAsync().ConfigureAwait(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetJobsAsync() => Task.FromResult<IReadOnlyList<string>>(registry.State.Jobs.ToArray());

    /// <inheritdoc />
    public async Task<string?> RegisterWorkerAsync(WorkerIdentity worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var snapshot = membership.CurrentSnapshot;
        registry.State.Workers.RemoveAll(w => w.Name == worker.Name || snapshot.GetSiloStatus(SiloAddress.FromParsableString(w.Silo)) is SiloStatus.Dead or SiloStatus.None);
        if (registry.State.Workers.FirstOrDefault(w => w.ModelFingerprint != worker.ModelFingerprint) is { } other)
        {
            await registry.WriteStateAsync().ConfigureAwait(true);
            return $"the cluster's workers run another model (worker {other.Name} reports model fingerprint {other.ModelFingerprint}, this one {worker.ModelFingerprint}): " +
                "every worker must load the same model files in the same precision.";
        }

        registry.State.Workers.Add(worker);
        await registry.WriteStateAsync().ConfigureAwait(true);
        return null;
    }

    /// <inheritdoc />
    public async Task<SegmentLease?> LeaseAsync(WorkerIdentity worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        SegmentLease? lease = null;
        var finished = new List<string>();
        foreach (var jobId in registry.State.Jobs.ToArray())
        {
            var offer = await GrainFactory.GetGrain<IUpscaleJobGrain>(jobId).TryLeaseAsync(worker).ConfigureAwait(true);
            if (offer.Finished)
            {
                finished.Add(jobId);
            }
            else if (offer.Lease is not null)
            {
                lease = offer.Lease;
                break;
            }
        }

        if (finished.Count > 0)
        {
            registry.State.Jobs.RemoveAll(finished.Contains);
            await registry.WriteStateAsync().ConfigureAwait(true);
        }

        return lease;
    }
}
