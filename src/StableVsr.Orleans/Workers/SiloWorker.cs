using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using StableVsr.Orleans.Grains;
using StableVsr.Sampling.Jobs;

namespace StableVsr.Orleans.Workers;

/// <summary>
/// A silo's worker: when the silo becomes active it checks the shared storage, loads one runner per device, registers
/// each with the job registry (refused when the cluster runs another model) and starts one loop per device that asks
/// for a segment whenever its device is free. On a graceful stop the running segments are given back (their journals
/// let the next worker continue); when the silo is killed nothing is said and the job grain learns of the death from
/// the cluster's membership.
/// </summary>
internal sealed partial class SiloWorker(
    ISegmentRunnerFactory factory,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<StableVsrWorkerOptions> options,
    ILogger<SiloWorker> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> loops = [];
    private readonly List<(ISegmentRunner Runner, WorkerIdentity Identity)> runners = [];
    private volatile bool killed;
    private volatile bool abandoned;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        // The model is loaded and the storage checked before the silo joins the cluster, so a worker that cannot work
        // fails fast and never shows up in the membership; work is taken only once the silo is active.
        lifecycle.Subscribe(nameof(SiloWorker), ServiceLifecycleStage.ApplicationServices, PrepareAsync, _ => Task.CompletedTask);
        lifecycle.Subscribe(nameof(SiloWorker), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    /// <summary>Checks that <paramref name="folder"/> can be written (a file is created and removed).</summary>
    /// <exception cref="InvalidInputException">It cannot.</exception>
    internal static void CheckWritable(string folder)
    {
        var probe = Path.Combine(folder, $".stablevsr-write-check-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(probe, "StableVsr worker write check");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(
                $"The shared storage '{folder}' cannot be written ({e.Message}): a worker writes its segments there, so mount it read-write (at the same path on every machine).", e);
        }
    }

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (options.Value.SharedStorage is { } storage)
        {
            CheckWritable(storage);
        }

        try
        {
            foreach (var device in factory.Devices)
            {
                var runner = await factory.CreateAsync(device, cancellationToken).ConfigureAwait(false);
                runners.Add((runner, new WorkerIdentity(silo.SiloAddress.ToParsableString(), runner.Device, runner.ModelFingerprint)));
            }
        }
        catch
        {
            await DisposeRunnersAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IJobRegistryGrain>(StableVsrClusterDefaults.RegistryKey);
        foreach (var (_, identity) in runners)
        {
            if (await registry.RegisterWorkerAsync(identity).ConfigureAwait(false) is { } refusal)
            {
                await DisposeRunnersAsync().ConfigureAwait(false);
                throw new ModelLoadException($"This worker was refused: {refusal}");
            }
        }

        foreach (var (runner, identity) in runners)
        {
            LogStarted(logger, identity.Name, identity.ModelFingerprint);
            loops.Add(Task.Run(() => LoopAsync(runner, identity, registry, stopping.Token), CancellationToken.None));
        }
    }

    private async Task DisposeRunnersAsync()
    {
        foreach (var (runner, _) in runners)
        {
            await runner.DisposeAsync().ConfigureAwait(false);
        }

        runners.Clear();
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        // A stop whose token is already cancelled is a kill: the segments are left to the membership's verdict.
        killed = cancellationToken.IsCancellationRequested;
        await stopping.CancelAsync().ConfigureAwait(false);
        if (!killed)
        {
            await Task.WhenAll(loops).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Drops this worker's running segments because their jobs are gone (the cluster's store was reset): each loop stops
    /// within a denoising step, nothing is handed back or committed any more (there is no job to tell), and each segment's
    /// staging is removed once its run released it. Waits for the loops at most <paramref name="timeout"/>.
    /// </summary>
    /// <returns>Whether every loop ended within <paramref name="timeout"/>.</returns>
    internal async Task<bool> AbandonAsync(TimeSpan timeout)
    {
        abandoned = true;
        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(loops).WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task LoopAsync(ISegmentRunner runner, WorkerIdentity identity, IJobRegistryGrain registry, CancellationToken stop)
    {
        await using var owned = runner;
        while (!stop.IsCancellationRequested)
        {
            SegmentLease? lease = null;
            try
            {
                lease = await registry.LeaseAsync(identity).WaitAsync(stop).ConfigureAwait(false);
                if (lease is null)
                {
                    await Task.Delay(options.Value.PollInterval, stop).ConfigureAwait(false);
                    continue;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogLeaseFailed(logger, e, identity.Name);
                await Task.Delay(options.Value.PollInterval, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            await RunAsync(runner, lease, stop).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(ISegmentRunner runner, SegmentLease lease, CancellationToken stop)
    {
        var job = grains.GetGrain<IUpscaleJobGrain>(lease.JobId);
        using var leaseLost = CancellationTokenSource.CreateLinkedTokenSource(stop);
        SegmentStaging? staging = null;
        try
        {
            staging = SegmentStaging.For(lease.Sequence, lease.Range, lease.JobId);
            int frames;
            if (lease.Attempt > 1 && staging.IsCommitted)
            {
                // An earlier attempt committed the output (or the segment's part) and died before saying so; the commit
                // below finishes what it may have left (a split sequence's last rename) and records it.
                frames = staging.CommittedFrames;
            }
            else
            {
                if (lease.Attempt == 1)
                {
                    staging.Reset();
                }

                async Task Committed(int done, int? count, CancellationToken token)
                {
                    if (!await job.ReportProgressAsync(lease.LeaseId, done, count).ConfigureAwait(false))
                    {
                        await leaseLost.CancelAsync().ConfigureAwait(false);
                        token.ThrowIfCancellationRequested();
                        leaseLost.Token.ThrowIfCancellationRequested();
                    }
                }

                LogRunning(logger, lease.JobId, lease.Index, lease.Attempt, lease.Sequence.Input);
                frames = await runner.RunAsync(new SegmentWork(lease, staging, Committed), leaseLost.Token).ConfigureAwait(false);
            }

            var turn = await job.BeginCommitAsync(lease.LeaseId).ConfigureAwait(false);
            while (turn == CommitTurn.Wait)
            {
                // Another segment of the same split sequence is committing: a few file moves, or a silo death the
                // membership is about to report.
                await Task.Delay(options.Value.PollInterval, leaseLost.Token).ConfigureAwait(false);
                turn = await job.BeginCommitAsync(lease.LeaseId).ConfigureAwait(false);
            }

            if (turn == CommitTurn.Lost)
            {
                return;
            }

            staging.Commit(last: turn == CommitTurn.Last);

            await job.CompleteSegmentAsync(lease.LeaseId, frames).ConfigureAwait(false);
        }
        catch (Exception) when (abandoned)
        {
            // The job is gone with the store: its staging is an orphan nobody will resume (the run released it by now).
            if (staging?.DiscardOrphan() == true)
            {
                LogStagingRemoved(logger, lease.JobId, lease.Index, staging.StagingOutput);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or UpscaleCanceledException && leaseLost.IsCancellationRequested)
        {
            if (stop.IsCancellationRequested && !killed)
            {
                await GiveBackAsync(job, lease).ConfigureAwait(false);
            }
        }
        catch (OutputInUseException e) when (!stop.IsCancellationRequested)
        {
            // Another live run (a worker whose lease this one took over, still finishing its window) holds the staging:
            // its files are left alone and the segment is tried again later.
            LogSegmentFailed(logger, e, lease.JobId, lease.Index);
            await ReportFailureAsync(job, lease, e.Message, permanent: false).ConfigureAwait(false);
        }
        catch (InvalidInputException e) when (!stop.IsCancellationRequested)
        {
            // Bad input is not retried, so nothing of the segment is worth keeping (nothing is staged when the staging
            // itself was refused).
            staging?.Discard();
            await ReportFailureAsync(job, lease, e.Message, permanent: true).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (killed)
            {
                return;
            }

            LogSegmentFailed(logger, e, lease.JobId, lease.Index);
            await ReportFailureAsync(job, lease, $"{e.GetType().Name}: {e.Message}", permanent: false).ConfigureAwait(false);
        }
    }

    private async Task GiveBackAsync(IUpscaleJobGrain job, SegmentLease lease)
    {
        try
        {
            await job.ReleaseSegmentAsync(lease.LeaseId, "its worker stopped").ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogReportFailed(logger, e, lease.JobId, lease.Index);
        }
    }

    private async Task ReportFailureAsync(IUpscaleJobGrain job, SegmentLease lease, string error, bool permanent)
    {
        try
        {
            await job.FailSegmentAsync(lease.LeaseId, error, permanent).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogReportFailed(logger, e, lease.JobId, lease.Index);
        }
    }

    [LoggerMessage(EventId = LoggerEventIds.WorkerStarted, Level = LogLevel.Information, Message = "Worker {Worker} started (model fingerprint {Fingerprint})")]
    private static partial void LogStarted(ILogger logger, string worker, string fingerprint);

    [LoggerMessage(EventId = LoggerEventIds.WorkerRunningSegment, Level = LogLevel.Information, Message = "Job {Job}: running segment {Index} (attempt {Attempt}) from {Input}")]
    private static partial void LogRunning(ILogger logger, string job, int index, int attempt, string input);

    [LoggerMessage(EventId = LoggerEventIds.WorkerLeaseFailed, Level = LogLevel.Warning, Message = "Worker {Worker} could not ask for work; retrying")]
    private static partial void LogLeaseFailed(ILogger logger, Exception exception, string worker);

    [LoggerMessage(EventId = LoggerEventIds.WorkerSegmentFailed, Level = LogLevel.Warning, Message = "Job {Job}: segment {Index} failed on this worker")]
    private static partial void LogSegmentFailed(ILogger logger, Exception exception, string job, int index);

    [LoggerMessage(EventId = LoggerEventIds.WorkerStagingRemoved, Level = LogLevel.Warning, Message = "Job {Job} is gone with the cluster's store: segment {Index} stopped and its staging '{Staging}' was removed")]
    private static partial void LogStagingRemoved(ILogger logger, string job, int index, string staging);

    [LoggerMessage(EventId = LoggerEventIds.WorkerReportFailed, Level = LogLevel.Warning, Message = "Job {Job}: the job grain could not be told about segment {Index}")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string job, int index);
}
