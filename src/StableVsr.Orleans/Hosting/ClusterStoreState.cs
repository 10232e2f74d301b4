namespace StableVsr.Orleans.Hosting;

/// <summary>What <see cref="ClusterStore.ProbeAsync(ClusterAddress, TimeSpan, string?)"/> found in the cluster's store.</summary>
internal enum ClusterStoreState
{
    /// <summary>The store answers and holds the cluster's membership table (or the cluster keeps none: localhost).</summary>
    Present,

    /// <summary>The store answers but holds no membership table: it was reset (a Redis restarted without persistence, or flushed), so its jobs are gone too.</summary>
    Reset,

    /// <summary>The store does not answer.</summary>
    Unreachable,
}
