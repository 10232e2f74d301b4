using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StableVsr.Models.Loading;
using StableVsr.Orleans;
using StableVsr.Orleans.Hosting;
using StableVsr.Orleans.Workers;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr worker</c>: starts an Orleans silo that joins a cluster and upscales segments of submitted jobs, one per
/// device at a time, until Ctrl+C (the running segments are then handed back and continue elsewhere from their journals).
/// </summary>
internal static class WorkerCommand
{
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
        var command = new Command("worker", "Join a cluster and upscale segments of submitted jobs (one per device at a time).")
        {
            cluster, model, raft, devices, precision, threads, storage, state, port, gatewayPort, verbose,
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
                return await RunAsync(address, options, stateFolder, result.GetValue(port), result.GetValue(gatewayPort), result.GetValue(verbose), cancellationToken).ConfigureAwait(false);
            }
            catch (StableVsrException e)
            {
                return CommandFailures.Report(e);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(ClusterAddress address, StableVsrWorkerOptions options, string stateFolder, int? port, int? gatewayPort, bool verbose, CancellationToken cancellationToken)
    {
        if (options.SharedStorage is { } shared)
        {
            SiloWorker.CheckWritable(shared);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning)
            .AddFilter("Orleans", verbose ? LogLevel.Warning : LogLevel.Error);
        var ports = (Silo: 0, Gateway: 0);
        builder.UseOrleans(silo =>
        {
            ports = address.ConfigureSilo(silo, port, gatewayPort, stateFolder);
            silo.AddStableVsrWorker(options);
        });
        using var host = builder.Build();
        Console.Error.WriteLine($"Starting a worker (silo port {ports.Silo}, gateway port {ports.Gateway}); loading {options.Model.Model} ...");
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ClusterCommandSupport.Find(e) is { } failure)
        {
            return CommandFailures.Report(failure);
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Canceled;
        }
        catch (Exception e)
        {
            var hint = address.IsLocalhost ? $" With --cluster localhost the first worker must be running (it listens on port {ClusterAddress.PrimarySiloPort})." : " Check the Redis address.";
            Console.Error.WriteLine($"error: the worker could not join the cluster ({e.GetType().Name}: {e.Message}).{hint}");
            return ExitCodes.ClusterUnavailable;
        }

        Console.Error.WriteLine($"Worker ready in cluster {(address.IsLocalhost ? "localhost" : address.RedisConnection)}; Ctrl+C stops it (its running segments continue elsewhere).");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Stopping: handing the running segments back ...");
        }

        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
