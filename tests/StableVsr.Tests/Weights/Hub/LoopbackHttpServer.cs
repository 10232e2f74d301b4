using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StableVsr.Tests.Weights.Hub;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (one request per connection) whose answers come from a handler, so
/// tests can serve fixture files, fail, or cut a response off half way. It stops on dispose, and by itself
/// after two minutes so a failed test never leaves it running.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new(TimeSpan.FromMinutes(2));
    private readonly Func<LoopbackRequest, LoopbackResponse> handler;
    private readonly Task loop;

    public LoopbackHttpServer(Func<LoopbackRequest, LoopbackResponse> handler)
    {
        this.handler = handler;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        loop = Task.Run(AcceptLoopAsync);
    }

    public Uri BaseUri { get; }

    public ConcurrentQueue<LoopbackRequest> Requests { get; } = new();

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends by cancellation; nothing to report.
        }

        stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream);
                if (request is null)
                {
                    return;
                }

                Requests.Enqueue(request);
                var response = handler(request);
                var head = new StringBuilder();
                head.Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(((HttpStatusCode)response.Status).ToString()).Append("\r\n");
                foreach (var (name, value) in response.Headers)
                {
                    head.Append(name).Append(": ").Append(value).Append("\r\n");
                }

                if (!response.Headers.ContainsKey("Content-Length"))
                {
                    head.Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
                }

                head.Append("Connection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), stop.Token);
                if (request.Method != "HEAD")
                {
                    var count = Math.Min(response.CutAfter ?? response.Body.Length, response.Body.Length);
                    await stream.WriteAsync(response.Body.AsMemory(0, count), stop.Token);
                }

                await stream.FlushAsync(stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The client went away or the server is stopping.
            }
        }
    }

    private async Task<LoopbackRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), stop.Token);
            if (read == 0)
            {
                return null;
            }

            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var lines = text[..end].Split("\r\n");
                var parts = lines[0].Split(' ');
                var headers = lines.Skip(1)
                    .Select(l => l.Split(':', 2))
                    .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
                return new LoopbackRequest(parts[0], Uri.UnescapeDataString(parts[1]), headers);
            }

            if (length == buffer.Length)
            {
                return null;
            }
        }
    }
}
