using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StableVsr.Tests.Orleans;

/// <summary>
/// The Redis server of the Redis tests: the one <c>STABLEVSR_REDIS</c> names (host:port; <c>.ci/run</c> starts one), else
/// a private <c>redis-server</c> on a free loopback port when it is installed. Without either the tests fail and say so:
/// they never pass silently.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Process? process;

    private RedisServer(string address, Process? process)
    {
        Address = address;
        this.process = process;
    }

    /// <summary>host:port.</summary>
    public string Address { get; }

    /// <summary>The port.</summary>
    public int Port => int.Parse(Address[(Address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    public static RedisServer Start()
    {
        if (Environment.GetEnvironmentVariable("STABLEVSR_REDIS") is { Length: > 0 } given)
        {
            return new RedisServer(given, null);
        }

        return StartPrivate(null, null);
    }

    /// <summary>
    /// A private <c>redis-server</c> (never the shared one of <c>STABLEVSR_REDIS</c>: the tests that use it flush or restart
    /// it), on <paramref name="port"/> or a free loopback port, with AOF persistence in <paramref name="appendOnlyFolder"/>
    /// when given (as production should run it), else without persistence.
    /// </summary>
    public static RedisServer StartPrivate(string? appendOnlyFolder, int? port)
    {
        if (port is null)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var persistence = appendOnlyFolder is null ? "--appendonly no" : $"--appendonly yes --appendfsync always --dir {appendOnlyFolder}";
        Process? server;
        try
        {
            server = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" {persistence}")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"The Redis tests need a Redis server: set STABLEVSR_REDIS=HOST:PORT, or install redis-server (apt-get install redis-server; .ci/run does both). ({e.Message})");
            throw;
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port.Value);
                return new RedisServer($"127.0.0.1:{port}", server);
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        server?.Kill();
        Assert.Fail($"redis-server did not listen on port {port} within 10 s.");
        throw new InvalidOperationException();
    }

    public void Dispose()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit();
        }

        process?.Dispose();
    }
}
