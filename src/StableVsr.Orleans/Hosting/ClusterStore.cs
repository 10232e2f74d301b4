using System.Globalization;
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
        "Submit the lost jobs again, and run Redis with AOF persistence (redis-server --appendonly yes; see docs/troubleshooting.md)";

    /// <summary>
    /// Probes the store of <paramref name="address"/> within <paramref name="timeout"/>; localhost clustering keeps no store
    /// to probe (Present). With <paramref name="member"/> (a silo's <c>ToParsableString()</c>), a store whose membership
    /// table does not list that silo counts as reset too: the table was made anew (by another worker that rejoined first).
    /// </summary>
    public static async Task<ClusterStoreState> ProbeAsync(ClusterAddress address, TimeSpan timeout, string? member = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsLocalhost)
        {
            return ClusterStoreState.Present;
        }

        try
        {
            using var connection = await ConnectAsync(address, timeout).ConfigureAwait(false);
            return connection is null ? ClusterStoreState.Unreachable : await ProbeAsync(connection, address, timeout, member).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            return ClusterStoreState.Unreachable;
        }
    }

    /// <summary>
    /// <see cref="ProbeAsync(ClusterAddress, TimeSpan, string?)"/> over a connection the caller holds (a worker's watch
    /// probes every second, and a new connection each time cost a handshake, threads and sockets every second).
    /// </summary>
    internal static async Task<ClusterStoreState> ProbeAsync(IConnectionMultiplexer connection, ClusterAddress address, TimeSpan timeout, string? member)
    {
        if (!connection.IsConnected)
        {
            return ClusterStoreState.Unreachable;
        }

        try
        {
            var table = MembershipKey(address);
            var database = connection.GetDatabase();
            if (!await database.KeyExistsAsync(table).WaitAsync(timeout).ConfigureAwait(false))
            {
                return ClusterStoreState.Reset;
            }

            if (member is null)
            {
                return ClusterStoreState.Present;
            }

            // Orleans names a silo's row "S{ip}:{port}:{generation}"; its parsable string is "{ip}:{port}@{generation}".
            var row = member.Replace('@', ':');
            var rows = await database.HashKeysAsync(table).WaitAsync(timeout).ConfigureAwait(false);
            return rows.Any(r => r.ToString().EndsWith(row, StringComparison.Ordinal)) ? ClusterStoreState.Present : ClusterStoreState.Reset;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            return ClusterStoreState.Unreachable;
        }
    }

    /// <summary>
    /// Records in the store that it was found reset now (a worker that rejoins writes it), so that <c>status</c> can tell a
    /// job lost with the store from one never submitted. Best effort: a store that does not answer records nothing.
    /// </summary>
    public static async Task RecordResetAsync(ClusterAddress address, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsLocalhost)
        {
            return;
        }

        try
        {
            using var connection = await ConnectAsync(address, timeout).ConfigureAwait(false);
            if (connection is not null)
            {
                await connection.GetDatabase().StringSetAsync(ResetKey(address), DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)).WaitAsync(timeout).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Without the record, status says only that the job is unknown.
        }
    }

    /// <summary>When a worker last found the store reset (see <see cref="RecordResetAsync"/>); null when none did, or the store does not answer.</summary>
    public static async Task<DateTimeOffset?> LastResetAsync(ClusterAddress address, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsLocalhost)
        {
            return null;
        }

        try
        {
            using var connection = await ConnectAsync(address, timeout).ConfigureAwait(false);
            var value = connection is null ? RedisValue.Null : await connection.GetDatabase().StringGetAsync(ResetKey(address)).WaitAsync(timeout).ConfigureAwait(false);
            return value.HasValue && DateTimeOffset.TryParse(value.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            return null;
        }
    }

    // The hash Orleans' Redis clustering keeps the membership table in.
    private static string MembershipKey(ClusterAddress address) => $"{address.Id}/members/{address.Id}";

    private static string ResetKey(ClusterAddress address) => $"{address.Id}/stablevsr/store-reset";

    /// <summary>
    /// Connects to the store of <paramref name="address"/>; null when it does not answer within <paramref name="timeout"/>.
    /// A connection kept open reconnects by itself, every <paramref name="timeout"/> at most, once the store is back.
    /// </summary>
    internal static async Task<ConnectionMultiplexer?> ConnectAsync(ClusterAddress address, TimeSpan timeout)
    {
        var options = ConfigurationOptions.Parse(address.RedisConnection!);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = (int)timeout.TotalMilliseconds;
        options.SyncTimeout = (int)timeout.TotalMilliseconds;
        options.AsyncTimeout = (int)timeout.TotalMilliseconds;
        options.ConnectRetry = 1;
        options.ReconnectRetryPolicy = new LinearRetry((int)timeout.TotalMilliseconds);
        ConnectionMultiplexer connection;
        try
        {
            connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }

        if (connection.IsConnected)
        {
            return connection;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }
}
