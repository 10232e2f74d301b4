using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace StableVsr.Orleans.Hosting;

/// <summary>
/// Where a cluster's membership lives, as <c>--cluster</c> names it: <c>localhost</c> (Orleans' development clustering:
/// every silo on this machine joins the first one, which listens on the fixed port <see cref="PrimarySiloPort"/>, and
/// clients connect to its gateway on <see cref="PrimaryGatewayPort"/>) or <c>redis://HOST:PORT</c> (membership and job
/// state in Redis: silos on any machine, any ports, any of them may die).
/// </summary>
internal sealed record ClusterAddress(string? RedisConnection)
{
    /// <summary>The cluster and service id (tests give each run its own).</summary>
    public string Id { get; init; } = ClusterId;

    /// <summary>The first local silo's port, which the others join.</summary>
    public const int PrimarySiloPort = 11111;

    /// <summary>The first local silo's gateway, which clients connect to.</summary>
    public const int PrimaryGatewayPort = 30000;

    /// <summary>How often a client of a Redis cluster re-reads its gateway list.</summary>
    public static readonly TimeSpan GatewayRefresh = TimeSpan.FromSeconds(2);

    /// <summary>How long a client of a Redis cluster waits for the answer to a call.</summary>
    public static readonly TimeSpan ClientResponseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The cluster and service id every StableVsr silo and client uses.</summary>
    public const string ClusterId = "stablevsr";

    /// <summary>Whether this is the one-machine development cluster.</summary>
    public bool IsLocalhost => RedisConnection is null;

    /// <summary>Reads <c>localhost</c> or <c>redis://HOST:PORT[,options]</c>.</summary>
    /// <exception cref="InvalidInputException">Anything else.</exception>
    public static ClusterAddress Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new ClusterAddress((string?)null);
        }

        const string Scheme = "redis://";
        if (value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && value.Length > Scheme.Length)
        {
            return new ClusterAddress(value[Scheme.Length..].TrimEnd('/'));
        }

        throw new InvalidInputException($"--cluster '{value}' is neither 'localhost' nor 'redis://HOST:PORT': give one of those.");
    }

    /// <summary>
    /// Configures a silo: membership, job storage and ports. Ports not given are chosen free; on localhost the silo that
    /// finds <see cref="PrimarySiloPort"/> free becomes the primary, the others join it.
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="siloPort">The silo-to-silo port; null: free (on localhost the primary's when it is free).</param>
    /// <param name="gatewayPort">The client gateway port; null: free (on localhost the primary's when this is the primary).</param>
    /// <param name="stateFolder">Where job state is kept with localhost clustering (a folder every local worker shares).</param>
    /// <returns>The ports chosen.</returns>
    public (int SiloPort, int GatewayPort) ConfigureSilo(ISiloBuilder builder, int? siloPort, int? gatewayPort, string stateFolder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (Id, Id));
        if (IsLocalhost)
        {
            var primary = siloPort is null && IsFree(PrimarySiloPort) && IsFree(PrimaryGatewayPort);
            var silo = siloPort ?? (primary ? PrimarySiloPort : FreePort());
            var gateway = gatewayPort ?? (primary ? PrimaryGatewayPort : FreePort());
            builder.UseLocalhostClustering(silo, gateway, new IPEndPoint(IPAddress.Loopback, PrimarySiloPort), Id, Id);
            builder.AddStableVsrFileStorage(stateFolder);
            return (silo, gateway);
        }

        var (s, g) = (siloPort ?? FreePort(), gatewayPort ?? FreePort());
        builder.UseRedisClustering(RedisConnection!);
        builder.AddStableVsrRedisStorage(RedisConnection!);
        if (RedisConnection!.StartsWith("127.0.0.1", StringComparison.Ordinal) || RedisConnection.StartsWith("localhost", StringComparison.OrdinalIgnoreCase))
        {
            // Redis on loopback means a cluster of this machine: advertise loopback, which is always reachable here.
            builder.ConfigureEndpoints(IPAddress.Loopback, s, g);
        }
        else
        {
            builder.ConfigureEndpoints(s, g, listenOnAnyHostAddress: true);
        }
        return (s, g);
    }

    /// <summary>Configures a client of this cluster.</summary>
    public void ConfigureClient(IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (IsLocalhost)
        {
            builder.UseLocalhostClustering(PrimaryGatewayPort, Id, Id);
        }
        else
        {
            builder.Services.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (Id, Id));
            // The gateway list is re-read from Redis every few seconds (one HGETALL) rather than every minute, so a client
            // that follows a job finds a worker that joined, or rejoined after its store was reset, within seconds.
            builder.Services.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayRefresh);
            // Every call a client makes is short (status, submit, cancel); one sent to a silo that was dropped (its store
            // was reset) is given up after this rather than Orleans' default 30 s, and the next poll finds the new one.
            builder.Services.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ClientResponseTimeout);
            builder.UseRedisClustering(RedisConnection!);
        }
    }

    // A port the system hands out as free now (it could be taken before the silo binds it; a failed bind says so).
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
