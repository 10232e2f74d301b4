using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using StableVsr.Orleans;
using StableVsr.Orleans.Hosting;

namespace StableVsr.Cli.Commands;

/// <summary>What the cluster verbs share: the <c>--cluster</c> option, connecting a client, printing a job.</summary>
internal static class ClusterCommandSupport
{
    /// <summary>The <c>--cluster</c> option.</summary>
    public static Option<string> ClusterOption() => new("--cluster", "-c")
    {
        Description = "localhost (workers on this machine; the first one started is the primary) or redis://HOST:PORT.",
        DefaultValueFactory = _ => "localhost",
    };

    /// <summary>Connects an Orleans client to <paramref name="cluster"/> and runs <paramref name="action"/> with a job client.</summary>
    public static async Task<int> WithClientAsync(string cluster, bool verbose, Func<UpscaleClusterClient, Task<int>> action, CancellationToken cancellationToken)
    {
        var address = ClusterAddress.Parse(cluster);
        switch (await ClusterStore.ProbeAsync(address, TimeSpan.FromSeconds(5)).ConfigureAwait(false))
        {
            case ClusterStoreState.Reset:
                Console.Error.WriteLine(
                    $"error: the cluster '{cluster}' has no member: no worker joined it since its store (Redis) started, or the cluster's store was reset (Redis restarted without persistence: its jobs are gone) and no worker rejoined yet. " +
                    $"Start a worker (stablevsr worker --cluster {cluster} ...); run Redis with --appendonly yes so a restart keeps the jobs.");
                return ExitCodes.ClusterUnavailable;
            case ClusterStoreState.Unreachable:
                Console.Error.WriteLine($"error: cannot reach the cluster '{cluster}': its store (Redis at {address.RedisConnection}) does not answer. Check the address, or start Redis.");
                return ExitCodes.ClusterUnavailable;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Error);
        builder.UseOrleansClient(address.ConfigureClient);
        using var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"error: cannot reach the cluster '{cluster}' ({e.Message}). Start a worker first (stablevsr worker --cluster {cluster} ...).");
            return ExitCodes.ClusterUnavailable;
        }

        try
        {
            return await action(new UpscaleClusterClient(host.Services.GetRequiredService<IClusterClient>())).ConfigureAwait(false);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// For a job the cluster does not know: when a worker found the cluster's store reset (see
    /// <see cref="ClusterStore.RecordResetAsync"/>), says that a job submitted before then was lost with it and returns
    /// exit 7; null when the store records no reset (the job id is then simply unknown).
    /// </summary>
    public static async Task<int?> ReportLostAsync(string cluster, string jobId)
    {
        if (await ClusterStore.LastResetAsync(ClusterAddress.Parse(cluster), TimeSpan.FromSeconds(5)).ConfigureAwait(false) is not { } at)
        {
            return null;
        }

        Console.Error.WriteLine(
            $"error: no job '{jobId}' is in the cluster '{cluster}', and the cluster's store was reset at {at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (Redis restarted without persistence, or was flushed): " +
            "a job submitted before then was lost with it. Submit it again, and run Redis with AOF persistence (redis-server --appendonly yes) so a restart keeps the jobs.");
        return ExitCodes.ClusterUnavailable;
    }

    /// <summary>Prints a job and its segments.</summary>
    public static void Print(TextWriter writer, UpscaleJobStatus status)
    {
        writer.WriteLine($"job {status.JobId}: {status.State.ToString().ToLowerInvariant()}, {status.SegmentsDone}/{status.Segments.Count} segment(s), {status.FramesDone}/{(status.FrameCount is { } n ? n : "?")} frame(s)");
        foreach (var segment in status.Segments)
        {
            var frames = $"{segment.FramesDone}/{(segment.FrameCount is { } count ? count : "?")}";
            writer.WriteLine($"  [{segment.Index}] {segment.State.ToString().ToLowerInvariant(),-10} {frames,9} frames  attempts {segment.Attempts}  {segment.Sequence.Input} -> {segment.Sequence.Output}{(segment.Range is { } range ? $" frames {range}" : string.Empty)}");
            if (segment.Worker is { } worker)
            {
                writer.WriteLine($"      worker {worker}");
            }

            if (segment.Error is { } error)
            {
                writer.WriteLine($"      {(segment.State == SegmentState.Failed ? "error" : "last interruption")}: {error}");
            }
        }
    }

    /// <summary>The exit code of a finished job.</summary>
    public static int ExitCodeOf(UpscaleJobStatus status) => status.State switch
    {
        UpscaleJobState.Succeeded => ExitCodes.Ok,
        UpscaleJobState.Cancelled => ExitCodes.Canceled,
        _ => ExitCodes.JobFailed,
    };

    /// <summary>The first StableVsr exception in an exception's chain (Orleans wraps what a silo's start throws).</summary>
    public static StableVsrException? Find(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is StableVsrException found)
            {
                return found;
            }

            if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            {
                return aggregate.InnerExceptions.Select(Find).FirstOrDefault(x => x is not null);
            }
        }

        return null;
    }
}
