using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StableVsr.Models.Loading;
using StableVsr.Orleans;
using StableVsr.Orleans.Hosting;
using Orleans.Runtime;
using StableVsr.Orleans.Workers;
using StackExchange.Redis;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr worker</c>: starts an Orleans silo that joins a cluster and upscales segments of submitted jobs, one per
/// device at a time, until Ctrl+C (the running segments are then handed back and continue elsewhere from their journals).
/// </summary>
internal static class WorkerCommand
{
    // How long a stop may take before the silo stops without handing its segments back (--stop-timeout, hidden: the
    // tests shorten it).
    private const int DefaultStopTimeoutSeconds = 8;

    // How long a silo whose store was reset is given to stop before it is disposed: its membership keeps retrying the
    // vanished table (a failing, harmless wait), and the new silo uses other ports unless --port fixed them (it then
    // retries its start until the old one let go).
    private static readonly TimeSpan DropTimeout = TimeSpan.FromSeconds(2);

    // How often the worker looks at its store (beside Orleans, which cannot tell a reset store from a down one): one
    // EXISTS and one HKEYS a second are nothing for Redis, and a reset is noticed within a second.
    private static readonly TimeSpan StorePoll = TimeSpan.FromSeconds(1);

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cluster = ClusterCommandSupport.ClusterOption();
        var model = new Option<string>("--model", "-m") { Description = "Model folder in diffusers layout, or a Hugging Face id (owner/name[@revision]).", DefaultValueFactory = _ => ModelSource.DefaultModel };
        var raft = new Option<string?>("--raft") { Description = "RAFT-large weights (.pth or .safetensors); default: torchvision's raft_large_C_T_SKHT_V2 through the torch hub cache." };
        var devices = new Option<string[]>("--device") { Description = "A device to run segments on (repeat for several: --device cuda:0 --device cuda:1); default: every GPU, else the CPU.", AllowMultipleArgumentsPerToken = true };
        var precision = new Option<DenoiserPrecision>("--precision") { Description = "UNet and ControlNet precision; every worker of a cluster must use the same.", DefaultValueFactory = _ => DenoiserPrecision.Float32 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: libtorch's choice)." };
        var storage = new Option<string?>("--storage") { Description = "The shared storage folder; the worker refuses to start when it cannot write there." };
        var state = new Option<string?>("--state") { Description = "With --cluster localhost: where job state is kept (default: STORAGE/.stablevsr-cluster, else ~/.local/share/stablevsr/cluster)." };
        var port = new Option<int?>("--port") { Description = "Silo-to-silo port (default: free; with localhost the first worker takes 11111)." };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = "Client gateway port (default: free; with localhost the first worker takes 30000)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log the cluster's and the segments' progress." };
        var outage = new Option<int>("--outage-tolerance") { Description = "Seconds the worker waits for a Redis store that does not answer before it stops (exit 7); after a store was reset (its jobs are lost) the worker rejoins at once.", DefaultValueFactory = _ => 300 };
        var stopTimeout = new Option<int>("--stop-timeout") { Description = "Seconds a stop may take to hand the running segments back (a store that does not answer)", DefaultValueFactory = _ => DefaultStopTimeoutSeconds, Hidden = true };
        var command = new Command("worker", "Join a cluster and upscale segments of submitted jobs (one per device at a time).")
        {
            cluster, model, raft, devices, precision, threads, storage, state, port, gatewayPort, verbose, outage, stopTimeout,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var address = ClusterAddress.Parse(result.GetValue(cluster)!);
                var shared = result.GetValue(storage);
                var options = new StableVsrWorkerOptions
                {
                    Model = new ModelSource(result.GetValue(model)!, result.GetValue(raft)),
                    Devices = (result.GetValue(devices) ?? []).Select(ComputeDevice.Parse).ToArray(),
                    Precision = result.GetValue(precision) switch
                    {
                        DenoiserPrecision.Float16 => PrecisionPolicy.HalfOnGpu,
                        DenoiserPrecision.BFloat16 => PrecisionPolicy.BFloat16Denoiser,
                        _ => PrecisionPolicy.Float32,
                    },
                    CpuThreads = result.GetValue(threads),
                    SharedStorage = shared,
                };
                var stateFolder = result.GetValue(state)
                    ?? (shared is not null ? Path.Combine(shared, ".stablevsr-cluster") : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "stablevsr", "cluster"));
                if (result.GetValue(outage) < 1)
                {
                    throw new InvalidInputException($"--outage-tolerance must be at least 1 second, got {result.GetValue(outage)}.");
                }

                if (result.GetValue(stopTimeout) < 1)
                {
                    throw new InvalidInputException($"--stop-timeout must be at least 1 second, got {result.GetValue(stopTimeout)}.");
                }

                var tolerance = TimeSpan.FromSeconds(result.GetValue(outage));
                var timeouts = (Outage: tolerance, Stop: TimeSpan.FromSeconds(result.GetValue(stopTimeout)));
                return await RunAsync(address, options, stateFolder, (result.GetValue(port), result.GetValue(gatewayPort)), timeouts, result.GetValue(verbose), cancellationToken).ConfigureAwait(false);
            }
            catch (StableVsrException e)
            {
                return CommandFailures.Report(e);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(
        ClusterAddress address, StableVsrWorkerOptions options, string stateFolder, (int? Silo, int? Gateway) given, (TimeSpan Outage, TimeSpan Stop) timeouts, bool verbose, CancellationToken cancellationToken)
    {
        var (outageTolerance, stopTimeout) = timeouts;
        if (options.SharedStorage is { } shared)
        {
            SiloWorker.CheckWritable(shared);
        }

        // Ctrl+C and SIGTERM are handled here as well as by the command line's own handler, and each starts a deadline
        // after which the process ends whatever is still waiting (Orleans' own stop can retry a down store for minutes).
        // A worker started from the background of a non-interactive shell inherits SIGINT as ignored and never sees
        // Ctrl+C at all: stop such workers with SIGTERM.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnStopSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // .NET calls a signal's handlers one after another, and the command line's own handler cancels the command
                // and then waits for it to end (StableVsrCommand's ProcessTerminationTimeout): this one can come after the
                // run has ended and disposed its token source, with nothing left to stop. A CI run's SIGTERM test caught
                // the ObjectDisposedException this threw, which ended the worker with an unhandled exception.
                return;
            }

            _ = Task.Delay(stopTimeout + stopTimeout + stopTimeout).ContinueWith(
                _ =>
                {
                    Console.Error.WriteLine($"The worker did not stop within {(3 * stopTimeout).TotalSeconds:0} s of the stop signal; it ends without handing its segments back.");
                    ProcessExit.Now(ExitCodes.Ok);
                },
                TaskScheduler.Default);
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);

        IHost? host = BuildHost(address, options, stateFolder, given, verbose, out var ports);
        Console.Error.WriteLine($"Starting a worker (silo port {ports.Silo}, gateway port {ports.Gateway}); loading {options.Model.Model} ...");
        try
        {
            await host.StartAsync(stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (ClusterCommandSupport.Find(e) is { } failure)
        {
            host.Dispose();
            return CommandFailures.Report(failure);
        }
        catch (OperationCanceledException)
        {
            host.Dispose();
            return ExitCodes.Canceled;
        }
        catch (Exception e)
        {
            host.Dispose();
            var hint = address.IsLocalhost ? $" With --cluster localhost the first worker must be running (it listens on port {ClusterAddress.PrimarySiloPort})." : " Check the Redis address.";
            Console.Error.WriteLine($"error: the worker could not join the cluster ({e.GetType().Name}: {e.Message}).{hint}");
            return ExitCodes.ClusterUnavailable;
        }

        Console.Error.WriteLine($"Worker ready in cluster {(address.IsLocalhost ? "localhost" : address.RedisConnection)}; Ctrl+C stops it (its running segments continue elsewhere).");
        int code;
        try
        {
            while (true)
            {
                if (await WatchStoreAsync(address, SiloOf(host), outageTolerance, stop.Token).ConfigureAwait(false) is { } failed)
                {
                    code = failed;
                    break;
                }

                // The store was reset: Orleans cannot live without its membership table, so the silo is dropped (its
                // segments' jobs are gone with the store: nothing to hand back) and a new one, of a new generation, joins
                // the cluster anew; it writes a fresh membership table.
                Console.Error.WriteLine($"warning: {ClusterStore.ResetMessage}. This worker drops its running segments (their staging is removed) and rejoins the cluster.");
                var dropped = host;
                host = null;
                await DropAsync(dropped, stopTimeout).ConfigureAwait(false);
                await ClusterStore.RecordResetAsync(address, StorePoll).ConfigureAwait(false);
                host = await RejoinAsync(address, options, stateFolder, given, verbose, outageTolerance, stop.Token).ConfigureAwait(false);
                if (host is null)
                {
                    return ExitCodes.ClusterUnavailable;
                }

                Console.Error.WriteLine($"Worker rejoined cluster {address.RedisConnection} with a fresh membership table.");
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Stopping: handing the running segments back ...");
            code = ExitCodes.Ok;
        }

        // A graceful stop hands the running segments back; when the store does not answer it cannot, and Orleans would
        // retry for minutes, ungracefully too: after the stop timeout the process ends without it (the leases then expire
        // and the segments resume elsewhere from their journals).
        if (host is null)
        {
            return code;
        }

        using (host)
        {
            using var limit = new CancellationTokenSource(stopTimeout);
            var stopping = host.StopAsync(limit.Token);
            if (await Task.WhenAny(stopping, Task.Delay(stopTimeout + stopTimeout)).ConfigureAwait(false) != stopping)
            {
                Console.Error.WriteLine($"The silo did not stop within {(2 * stopTimeout).TotalSeconds:0} s (its store does not answer); the worker ends without handing its segments back.");
                ProcessExit.Now(code);
            }
        }

        return code;
    }

    private static IHost BuildHost(ClusterAddress address, StableVsrWorkerOptions options, string stateFolder, (int? Silo, int? Gateway) given, bool verbose, out (int Silo, int Gateway) ports)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning)
            .AddFilter("Orleans", verbose ? LogLevel.Warning : LogLevel.Error);
        var chosen = (Silo: 0, Gateway: 0);
        builder.UseOrleans(silo =>
        {
            chosen = address.ConfigureSilo(silo, given.Silo, given.Gateway, stateFolder);
            silo.AddStableVsrWorker(options);
        });
        var host = builder.Build();
        ports = chosen;
        return host;
    }

    private static string SiloOf(IHost host) => host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();

    // Drops a silo whose store was reset: its segments stop and their staging is removed, then Orleans is stopped as a
    // kill (a graceful stop would retry the vanished membership table for minutes); the pipelines are freed with it.
    private static async Task DropAsync(IHost host, TimeSpan stopTimeout)
    {
        using (host)
        {
            await host.Services.GetRequiredService<SiloWorker>().AbandonAsync(stopTimeout).ConfigureAwait(false);
            using var killed = new CancellationTokenSource();
            await killed.CancelAsync().ConfigureAwait(false);
            var stopping = host.StopAsync(killed.Token);
            await Task.WhenAny(stopping, Task.Delay(DropTimeout)).ConfigureAwait(false);
        }
    }

    // Starts a new silo until one joins, or the store stays down past the tolerance (null, after saying so).
    private static async Task<IHost?> RejoinAsync(
        ClusterAddress address, StableVsrWorkerOptions options, string stateFolder, (int? Silo, int? Gateway) given, bool verbose, TimeSpan outageTolerance, CancellationToken cancellationToken)
    {
        var since = DateTime.UtcNow;
        while (true)
        {
            var host = BuildHost(address, options, stateFolder, given, verbose, out _);
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
                return host;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                host.Dispose();
                if (DateTime.UtcNow - since > outageTolerance)
                {
                    Console.Error.WriteLine(
                        $"error: the worker could not rejoin the cluster after its store (Redis at {address.RedisConnection}) was reset: {e.Message} for {outageTolerance.TotalSeconds:0} s (--outage-tolerance). This worker stops; start it again once Redis answers.");
                    return null;
                }

                await Task.Delay(StorePoll, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Runs until cancelled (throws), until the store was reset (returns null: the caller rejoins), or until it stayed
    // down past the tolerance (returns exit 7, after saying so).
    private static async Task<int?> WatchStoreAsync(ClusterAddress address, string silo, TimeSpan outageTolerance, CancellationToken cancellationToken)
    {
        if (address.IsLocalhost)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        // One connection for the whole watch, probed every second; it reconnects by itself once the store answers again
        // (a new connection per probe kept an idle worker at about 9% of a core, against 4% without the probe).
        DateTime? downSince = null;
        ConnectionMultiplexer? connection = null;
        try
        {
            while (true)
            {
                await Task.Delay(StorePoll, cancellationToken).ConfigureAwait(false);
                connection ??= await ClusterStore.ConnectAsync(address, StorePoll).ConfigureAwait(false);
                var state = connection is null ? ClusterStoreState.Unreachable : await ClusterStore.ProbeAsync(connection, address, StorePoll, silo).ConfigureAwait(false);
                switch (state)
                {
                    case ClusterStoreState.Reset:
                        return null;
                    case ClusterStoreState.Unreachable:
                        downSince ??= DateTime.UtcNow;
                        if (DateTime.UtcNow - downSince > outageTolerance)
                        {
                            Console.Error.WriteLine(
                                $"error: the cluster's store (Redis at {address.RedisConnection}) has not answered for {outageTolerance.TotalSeconds:0} s (--outage-tolerance). This worker stops; start it again once Redis is back.");
                            return ExitCodes.ClusterUnavailable;
                        }

                        break;
                    default:
                        downSince = null;
                        break;
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                // Without waiting for commands a store that is down will never answer.
                await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

}
