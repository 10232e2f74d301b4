using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace StableVsr.Orleans.Grains;

/// <summary>
/// The job grain: its persisted state is the job (segments with state, attempts, worker, frames and history). Workers
/// pull segments from it through the registry; it learns from the cluster's membership when a worker's silo dies and
/// puts that silo's segment back in the queue, to continue from its journal on the next free device.
/// </summary>
internal sealed partial class UpscaleJobGrain(
    [PersistentState("job", StableVsrClusterDefaults.StorageName)] IPersistentState<JobGrainState> job,
    IClusterMembershipService membership,
    ILogger<UpscaleJobGrain> logger) : Grain, IUpscaleJobGrain
{
    // How often the leases are checked against the membership while segments run.
    private static readonly TimeSpan WorkerCheckPeriod = TimeSpan.FromSeconds(1);

    // A silo the membership does not list yet may have just joined; only after this long is it taken for gone.
    private static readonly TimeSpan UnknownSiloGrace = TimeSpan.FromSeconds(30);

    // Progress is persisted at most this often: it is what a status shows, not what a resume needs (a segment continues
    // from its journal), and writing the whole job for every window of every segment made the job grain the cluster's
    // limit (8 silos ran a job 4.6x faster than one instead of 8x).
    private static readonly TimeSpan ProgressWritePeriod = TimeSpan.FromSeconds(1);

    private IGrainTimer? workerCheck;
    private DateTimeOffset progressWritten;
    private bool progressUnwritten;

    private JobGrainState State => job.State;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        EnsureWorkerCheck();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<UpscaleJobStatus> SubmitAsync(IReadOnlyList<SequenceJob> sequences, UpscaleJobOptions options, IReadOnlyList<SegmentRange[]>? segments)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(options);
        if (State.Submitted)
        {
            if (!State.Segments.Select(s => s.Sequence).Distinct().SequenceEqual(sequences) || State.Options != options)
            {
                throw new ArgumentException($"Job '{this.GetPrimaryKeyString()}' was already submitted with other sequences or options; submit under a new id.");
            }

            return Status();
        }

        State.Submitted = true;
        State.State = UpscaleJobState.Queued;
        State.Options = options;
        State.SubmittedAt = DateTimeOffset.UtcNow;
        State.Segments = SegmentRecords.Plan(sequences, segments);
        await WriteAsync(CancellationToken.None).ConfigureAwait(true);
        LogSubmitted(logger, this.GetPrimaryKeyString(), sequences.Count);
        return Status();
    }

    /// <inheritdoc />
    public Task<UpscaleJobStatus?> GetStatusAsync() => Task.FromResult(State.Submitted ? Status() : null);

    /// <inheritdoc />
    public async Task<LeaseOffer> TryLeaseAsync(WorkerIdentity worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (!State.Submitted || IsFinished)
        {
            return new LeaseOffer(null, Finished: true);
        }

        if (State.ModelFingerprint is { } fingerprint && fingerprint != worker.ModelFingerprint)
        {
            return new LeaseOffer(null, Finished: false);
        }

        var segment = State.Segments.FirstOrDefault(s => s.State == SegmentState.Pending);
        if (segment is null)
        {
            return new LeaseOffer(null, Finished: false);
        }

        State.ModelFingerprint ??= worker.ModelFingerprint;
        State.State = UpscaleJobState.Running;
        segment.State = SegmentState.Running;
        segment.Attempts++;
        segment.Worker = worker;
        segment.LeaseId = Guid.NewGuid();
        segment.LeasedAt = DateTimeOffset.UtcNow;
        segment.History.Add($"attempt {segment.Attempts} on {worker.Name}");
        await WriteAsync(CancellationToken.None).ConfigureAwait(true);
        EnsureWorkerCheck();
        LogLeased(logger, this.GetPrimaryKeyString(), segment.Index, segment.Attempts, worker.Name);
        return new LeaseOffer(
            new SegmentLease
            {
                LeaseId = segment.LeaseId.Value,
                JobId = this.GetPrimaryKeyString(),
                Index = segment.Index,
                Sequence = segment.Sequence,
                Options = State.Options,
                Attempt = segment.Attempts,
                Range = segment.Range,
            },
            Finished: false);
    }

    /// <inheritdoc />
    public async Task<bool> ReportProgressAsync(Guid leaseId, int framesDone, int? frameCount)
    {
        if (Holding(leaseId) is not { State: SegmentState.Running } segment)
        {
            return false;
        }

        segment.FramesDone = framesDone;
        segment.FrameCount = frameCount ?? segment.FrameCount;
        if (DateTimeOffset.UtcNow - progressWritten >= ProgressWritePeriod)
        {
            await WriteAsync(CancellationToken.None).ConfigureAwait(true);
        }
        else
        {
            progressUnwritten = true;
        }

        return true;
    }

    /// <inheritdoc />
    public async Task<CommitTurn> BeginCommitAsync(Guid leaseId)
    {
        if (Holding(leaseId) is not { State: SegmentState.Running } segment)
        {
            return CommitTurn.Lost;
        }

        // A split sequence's segments commit one at a time, so the one that commits last knows it and completes the sequence.
        var siblings = State.Segments.Where(s => s != segment && s.Sequence == segment.Sequence).ToArray();
        if (siblings.Any(s => s.State == SegmentState.Committing))
        {
            return CommitTurn.Wait;
        }

        segment.State = SegmentState.Committing;
        await WriteAsync(CancellationToken.None).ConfigureAwait(true);
        return siblings.All(s => s.State == SegmentState.Done) ? CommitTurn.Last : CommitTurn.Part;
    }

    /// <inheritdoc />
    public async Task CompleteSegmentAsync(Guid leaseId, int frames)
    {
        if (Holding(leaseId) is not { State: SegmentState.Committing } segment)
        {
            return;
        }

        segment.State = SegmentState.Done;
        segment.FramesDone = frames >= 0 ? frames : segment.FrameCount ?? segment.FramesDone;
        segment.FrameCount = segment.FramesDone;
        segment.LeaseId = null;
        segment.Error = null;
        segment.History[^1] += ": committed";
        FinishWhenNothingLeft();
        await WriteAsync(CancellationToken.None).ConfigureAwait(true);
        LogCommitted(logger, this.GetPrimaryKeyString(), segment.Index, frames);
    }

    /// <inheritdoc />
    public async Task FailSegmentAsync(Guid leaseId, string error, bool permanent)
    {
        if (Holding(leaseId) is not { } segment)
        {
            return;
        }

        LogFailed(logger, this.GetPrimaryKeyString(), segment.Index, permanent, error);
        Requeue(segment, error, permanent);
        await WriteAsync(CancellationToken.None).ConfigureAwait(true);
    }

    /// <inheritdoc />
    public async Task ReleaseSegmentAsync(Guid leaseId, string reason)
    {
        if (Holding(leaseId) is not { } segment)
        {
            return;
        }

        Requeue(segment, reason, permanent: false);
        await WriteAsync(CancellationToken.None).ConfigureAwait(true);
    }

    /// <inheritdoc />
    public async Task<UpscaleJobStatus?> CancelAsync()
    {
        if (!State.Submitted)
        {
            return null;
        }

        if (!IsFinished)
        {
            foreach (var segment in State.Segments.Where(s => s.State is SegmentState.Running or SegmentState.Pending))
            {
                segment.State = SegmentState.Pending;
                segment.LeaseId = null;
            }

            State.State = UpscaleJobState.Cancelled;
            State.FinishedAt = DateTimeOffset.UtcNow;
            await WriteAsync(CancellationToken.None).ConfigureAwait(true);
        }

        return Status();
    }

    private bool IsFinished => State.State is UpscaleJobState.Succeeded or UpscaleJobState.Failed or UpscaleJobState.Cancelled;

    private SegmentRecord? Holding(Guid leaseId) =>
        State.State == UpscaleJobState.Cancelled ? null : State.Segments.FirstOrDefault(s => s.LeaseId == leaseId);

    // Back to the queue (the next start continues from the journal), unless the error is the input's or the attempts are spent.
    private void Requeue(SegmentRecord segment, string reason, bool permanent)
    {
        segment.History[^1] += $": {reason}";
        segment.Error = reason;
        segment.LeaseId = null;
        if (permanent || segment.Attempts >= State.Options.MaxAttempts)
        {
            segment.State = SegmentState.Failed;
            segment.Error = permanent ? reason : $"gave up after {segment.Attempts} attempt(s); the last: {reason}";
            FinishWhenNothingLeft();
        }
        else
        {
            segment.State = SegmentState.Pending;
        }
    }

    private void FinishWhenNothingLeft()
    {
        if (State.Segments.All(s => s.State is SegmentState.Done or SegmentState.Failed))
        {
            State.State = State.Segments.All(s => s.State == SegmentState.Done) ? UpscaleJobState.Succeeded : UpscaleJobState.Failed;
            State.FinishedAt = DateTimeOffset.UtcNow;
            workerCheck?.Dispose();
            workerCheck = null;
        }
    }

    private void EnsureWorkerCheck()
    {
        if (workerCheck is null && State.Segments.Any(s => s.LeaseId is not null))
        {
            workerCheck = this.RegisterGrainTimer(CheckWorkersAsync, new GrainTimerCreationOptions(WorkerCheckPeriod, WorkerCheckPeriod) { KeepAlive = true });
        }
    }

    // A segment whose silo the membership declared dead is taken back: Orleans guarantees a dead silo never comes back
    // (it stops itself when it learns it was declared dead), so the segment cannot be committed twice.
    private async Task CheckWorkersAsync(CancellationToken cancellationToken)
    {
        var snapshot = membership.CurrentSnapshot;
        var changed = false;
        foreach (var segment in State.Segments.Where(s => s.LeaseId is not null && s.Worker is not null))
        {
            var silo = SiloAddress.FromParsableString(segment.Worker!.Silo);
            var status = snapshot.GetSiloStatus(silo);
            var gone = status == SiloStatus.Dead ||
                (status == SiloStatus.None && DateTimeOffset.UtcNow - segment.LeasedAt > UnknownSiloGrace);
            if (gone)
            {
                LogWorkerDied(logger, this.GetPrimaryKeyString(), segment.Index, segment.Worker.Name);
                Requeue(segment, $"silo {segment.Worker.Silo} died", permanent: false);
                changed = true;
            }
        }

        if (changed || progressUnwritten)
        {
            await WriteAsync(cancellationToken).ConfigureAwait(true);
        }

        if (!State.Segments.Any(s => s.LeaseId is not null))
        {
            workerCheck?.Dispose();
            workerCheck = null;
        }
    }

    // Every write carries the progress reported since the last one.
    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        await job.WriteStateAsync(cancellationToken).ConfigureAwait(true);
        progressWritten = DateTimeOffset.UtcNow;
        progressUnwritten = false;
    }

    private UpscaleJobStatus Status() => new()
    {
        JobId = this.GetPrimaryKeyString(),
        State = State.State,
        Segments = State.Segments.Select(s => s.ToStatus()).ToArray(),
        Options = State.Options,
        ModelFingerprint = State.ModelFingerprint,
        SubmittedAt = State.SubmittedAt,
        FinishedAt = State.FinishedAt,
    };

    [LoggerMessage(EventId = LoggerEventIds.JobSubmitted, Level = LogLevel.Information, Message = "Job {Job}: submitted with {Count} segment(s)")]
    private static partial void LogSubmitted(ILogger logger, string job, int count);

    [LoggerMessage(EventId = LoggerEventIds.SegmentLeased, Level = LogLevel.Information, Message = "Job {Job}: segment {Index} attempt {Attempt} leased to {Worker}")]
    private static partial void LogLeased(ILogger logger, string job, int index, int attempt, string worker);

    [LoggerMessage(EventId = LoggerEventIds.SegmentCommitted, Level = LogLevel.Information, Message = "Job {Job}: segment {Index} committed ({Frames} frames)")]
    private static partial void LogCommitted(ILogger logger, string job, int index, int frames);

    [LoggerMessage(EventId = LoggerEventIds.SegmentFailed, Level = LogLevel.Warning, Message = "Job {Job}: segment {Index} failed (permanent: {Permanent}): {Error}")]
    private static partial void LogFailed(ILogger logger, string job, int index, bool permanent, string error);

    [LoggerMessage(EventId = LoggerEventIds.WorkerSiloDied, Level = LogLevel.Warning, Message = "Job {Job}: the silo of segment {Index}'s worker {Worker} died; the segment goes back to the queue")]
    private static partial void LogWorkerDied(ILogger logger, string job, int index, string worker);
}
