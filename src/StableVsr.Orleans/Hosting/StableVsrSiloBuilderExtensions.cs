using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using StableVsr.Orleans.Hosting;
using StableVsr.Orleans.Workers;
using StackExchange.Redis;

namespace StableVsr.Orleans;

/// <summary>
/// Adds StableVsr to an Orleans silo: the job grains come with the assembly; a silo that should also upscale adds a
/// worker (<see cref="AddStableVsrWorker"/>), and every silo needs the job storage (<see cref="AddStableVsrFileStorage"/>
/// on one machine or a shared folder, <see cref="AddStableVsrRedisStorage"/> for a real cluster).
/// </summary>
public static class StableVsrSiloBuilderExtensions
{
    /// <summary>
    /// Makes this silo a worker: when it starts it loads one pipeline per device of <paramref name="options"/>, and each
    /// device then takes one segment at a time from the cluster's jobs.
    /// </summary>
    /// <exception cref="ModelLoadException">(When the silo starts) the model cannot be loaded, or the cluster's workers run another model.</exception>
    /// <exception cref="InvalidInputException">(When the silo starts) <see cref="StableVsrWorkerOptions.SharedStorage"/> cannot be written.</exception>
    public static ISiloBuilder AddStableVsrWorker(this ISiloBuilder builder, StableVsrWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        builder.Services.TryAddSingleton<ISegmentRunnerFactory, PipelineRunnerFactory>();
        builder.Services.AddSingleton<SiloWorker>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloWorker>());
        return builder;
    }

    /// <summary>
    /// Keeps jobs in files under <paramref name="folder"/> (one file per job, replaced atomically). For one machine, or
    /// machines sharing the folder with one writer at a time; Redis is the safe choice for several machines.
    /// </summary>
    public static ISiloBuilder AddStableVsrFileStorage(this ISiloBuilder builder, string folder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var full = Path.GetFullPath(folder);
        builder.Services.AddGrainStorage(StableVsrClusterDefaults.StorageName, (sp, _) => new FileGrainStorage(full, sp.GetRequiredService<IGrainStorageSerializer>()));
        return builder;
    }

    /// <summary>Keeps jobs in Redis (<paramref name="connectionString"/> in StackExchange.Redis' format, e.g. <c>host:6379</c>).</summary>
    public static ISiloBuilder AddStableVsrRedisStorage(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return builder.AddRedisGrainStorage(StableVsrClusterDefaults.StorageName, o => o.ConfigurationOptions = ConfigurationOptions.Parse(connectionString));
    }
}
