using StackExchange.Redis;

namespace StableVsr.Orleans.Hosting;

/// <summary>
/// Looks at a Redis cluster's store directly, beside Orleans: whether it answers and still holds the membership table
/// (<c>{service}/members/{cluster}</c>, the hash Orleans' Redis clustering keeps). Orleans alone cannot tell a store that
/// was reset from one that is down: a silo then logs "membership table version is missing" for ever and a client finds
/// "no gateways"; with this the worker and the cluster verbs say which it is.
/// </summary>
internal static class ClusterStore
{
    /// <summary>The message for a store that was reset.</summary>
    public const string ResetMessage =
        "the cluster's store was reset (Redis restarted without persistence, or was flushed): its membership and every job in it are gone. " +
        "Restart the workers, submit the jobs again, and run Redis with AOF persistence (redis-server --appendonly yes; see docs/troubleshooting.md)";

    /// <summary>Probes the store of <paramref name="address"/> within <paramref name="timeout"/>; localhost clustering keeps no store to probe (Present).</summary>
    public static async Task<ClusterStoreState> ProbeAsync(ClusterAddress address, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsLocalhost)
        {
            return ClusterStoreState.Present;
        }

        var options = ConfigurationOptions.Parse(address.RedisConnection!);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = (int)timeout.TotalMilliseconds;
        options.SyncTimeout = (int)timeout.TotalMilliseconds;
        options.AsyncTimeout = (int)timeout.TotalMilliseconds;
        options.ConnectRetry = 1;
        try
        {
            using var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            if (!connection.IsConnected)
            {
                return ClusterStoreState.Unreachable;
            }

            var exists = await connection.GetDatabase().KeyExistsAsync($"{address.Id}/members/{address.Id}").WaitAsync(timeout).ConfigureAwait(false);
            return exists ? ClusterStoreState.Present : ClusterStoreState.Reset;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            return ClusterStoreState.Unreachable;
        }
    }
}
