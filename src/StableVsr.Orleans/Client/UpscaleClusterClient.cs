using System.Runtime.CompilerServices;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using StableVsr.IO;
using StableVsr.Orleans.Grains;
using StableVsr.Orleans.Workers;
using StableVsr.Sampling.Jobs;

namespace StableVsr.Orleans;

/// <summary>
/// A host app's handle on StableVsr jobs in an Orleans cluster: submit a job (a list of sequences on shared storage),
/// read its status, follow it to the end, cancel it. Jobs are persisted by the cluster, so a client may go away and a
/// later one (any process) follows the same job by its id, and following a job outlasts a restart of every silo.
/// </summary>
public sealed class UpscaleClusterClient
{
    // How long one poll of a followed job waits for its answer before it counts as an outage and is tried again.
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(5);

    private readonly IGrainFactory grains;

    /// <summary>Creates a client over an Orleans client (<see cref="IClusterClient"/>) or a silo's grain factory.</summary>
    public UpscaleClusterClient(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        this.grains = grains;
    }

    /// <summary>
    /// How long <see cref="WatchAsync"/> and <see cref="WaitAsync"/> keep polling while no silo can be reached (every
    /// worker stopped or restarting: Orleans then has no gateway, or loses the one it used) before they give up with
    /// <see cref="ClusterUnavailableException"/>. Default 5 minutes. Zero gives up at the first failed poll.
    /// </summary>
    public TimeSpan OutageTolerance { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Submits a job and returns its id. Submitting again under the same id returns that id (nothing is redone).</summary>
    /// <param name="sequences">
    /// The sequences, one segment each unless <paramref name="options"/> split them (then this client reads each
    /// sequence's LR frames once, to count them and find scene cuts, and plans the segments as the job layer does).
    /// Inputs must exist, outputs must not.
    /// </param>
    /// <param name="options">Output options; null takes <see cref="UpscaleJobOptions.Default"/>.</param>
    /// <param name="jobId">The id to submit under; null makes a new one.</param>
    /// <param name="cancellationToken">Cancels waiting for the cluster.</param>
    /// <exception cref="InvalidInputException">
    /// No sequence, an input that does not exist or cannot be read, an output that exists, is an input or is given
    /// twice, invalid options, or splitting asked for with a video output.
    /// </exception>
    public async Task<string> SubmitAsync(IReadOnlyList<SequenceJob> sequences, UpscaleJobOptions? options = null, string? jobId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        options ??= UpscaleJobOptions.Default;
        jobId ??= $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        var job = grains.GetGrain<IUpscaleJobGrain>(jobId);
        var resolved = sequences.Select(s => new SequenceJob(Path.GetFullPath(s.Input), Path.GetFullPath(s.Output))).ToArray();
        IReadOnlyList<SegmentRange[]>? segments = null;
        if (await job.GetStatusAsync().WaitAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            options.Validate();
            Check(resolved);
            segments = await PlanSegmentsAsync(resolved, options, cancellationToken).ConfigureAwait(false);
        }

        await job.SubmitAsync(resolved, options, segments).WaitAsync(cancellationToken).ConfigureAwait(false);

        // Only once the job holds its segments may workers find it.
        await grains.GetGrain<IJobRegistryGrain>(StableVsrClusterDefaults.RegistryKey).AddJobAsync(jobId).WaitAsync(cancellationToken).ConfigureAwait(false);
        return jobId;
    }

    /// <summary>The job's status as the cluster has it.</summary>
    /// <exception cref="InvalidInputException">No job has this id.</exception>
    public async Task<UpscaleJobStatus> GetStatusAsync(string jobId, CancellationToken cancellationToken = default) =>
        await FindStatusAsync(jobId, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false) ?? throw Unknown(jobId);

    /// <summary>Cancels a job: no segment starts any more and running ones stop within a denoising step; committed outputs stay.</summary>
    /// <exception cref="InvalidInputException">No job has this id.</exception>
    public async Task<UpscaleJobStatus> CancelAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return await grains.GetGrain<IUpscaleJobGrain>(jobId).CancelAsync().WaitAsync(cancellationToken).ConfigureAwait(false) ?? throw Unknown(jobId);
    }

    /// <summary>The jobs the cluster has not finished, oldest first.</summary>
    public async Task<IReadOnlyList<string>> GetUnfinishedJobsAsync(CancellationToken cancellationToken = default) =>
        await grains.GetGrain<IJobRegistryGrain>(StableVsrClusterDefaults.RegistryKey).GetJobsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Follows a job: yields its status now and whenever it changes (polled every <paramref name="interval"/>, default
    /// 1 s), and ends after the status that says it finished.
    /// </summary>
    /// <exception cref="InvalidInputException">No job has this id.</exception>
    /// <exception cref="JobLostException">The job vanished while it was followed: the cluster's store was reset (its unfinished segments' staging is removed).</exception>
    /// <exception cref="ClusterUnavailableException">No silo answered for <see cref="OutageTolerance"/>.</exception>
    public async IAsyncEnumerable<UpscaleJobStatus> WatchAsync(string jobId, TimeSpan? interval = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        UpscaleJobStatus? last = null;
        DateTime? unreachableSince = null;
        while (true)
        {
            UpscaleJobStatus status;
            try
            {
                // A status takes milliseconds; one that a silo being dropped never answers is given up after PollTimeout
                // (an outage, polled again) rather than after Orleans' response timeout.
                if (await FindStatusAsync(jobId, PollTimeout, cancellationToken).ConfigureAwait(false) is not { } found)
                {
                    throw last is null ? Unknown(jobId) : Lost(jobId, last);
                }

                status = found;
                unreachableSince = null;
            }
            catch (Exception e) when (IsOutage(e))
            {
                // The client's gateway list is refreshed from the membership when its gateways fail, so a silo that
                // joins later is found by a later poll; until then every call is refused at once.
                unreachableSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - unreachableSince >= OutageTolerance)
                {
                    throw new ClusterUnavailableException(
                        $"No worker of the cluster could be reached for {OutageTolerance.TotalSeconds:0} s while following job '{jobId}' ({e.Message}). " +
                        "The job is kept by the cluster and goes on when a worker is started again; follow it again then.", e);
                }

                await Task.Delay(interval ?? TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (last is null || Changed(last, status))
            {
                last = status;
                yield return status;
            }

            if (status.IsFinished)
            {
                yield break;
            }

            await Task.Delay(interval ?? TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until a job finishes, reporting each change of its status; returns the final status.</summary>
    /// <exception cref="InvalidInputException">No job has this id.</exception>
    /// <exception cref="JobLostException">The job vanished while it was followed: the cluster's store was reset.</exception>
    public async Task<UpscaleJobStatus> WaitAsync(string jobId, IProgress<UpscaleJobStatus>? progress = null, TimeSpan? interval = null, CancellationToken cancellationToken = default)
    {
        UpscaleJobStatus? last = null;
        await foreach (var status in WatchAsync(jobId, interval, cancellationToken).ConfigureAwait(false))
        {
            progress?.Report(status);
            last = status;
        }

        return last!;
    }

    // The job's status, or null when the cluster has no job of that id; a call not answered within timeout throws.
    private async Task<UpscaleJobStatus?> FindStatusAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return await grains.GetGrain<IUpscaleJobGrain>(jobId).GetStatusAsync().WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    private static InvalidInputException Unknown(string jobId) => new($"No job '{jobId}' was submitted to this cluster.");

    // A job seen before and gone now was lost with the cluster's store (jobs are never removed otherwise): its
    // unfinished segments' staging is an orphan no worker will resume, removed here unless a live process holds it.
    private static JobLostException Lost(string jobId, UpscaleJobStatus last)
    {
        var removed = 0;
        foreach (var segment in last.Segments.Where(s => s.State != SegmentState.Done))
        {
            try
            {
                removed += SegmentStaging.For(segment.Sequence, segment.Range, jobId).DiscardOrphan() ? 1 : 0;
            }
            catch (InvalidInputException)
            {
                // Not a staging this job could have had.
            }
        }

        var done = last.Segments.Count(s => s.State == SegmentState.Done);
        return new JobLostException(
            $"Job '{jobId}' is gone: the cluster's store was reset (Redis restarted without persistence, or was flushed) while it ran, and the job was lost with it. " +
            $"{done} of its {last.Segments.Count} segment(s) had committed their outputs, which stay{(removed > 0 ? $"; the staging of {removed} unfinished segment(s) was removed" : string.Empty)}. " +
            "Submit the job again for the outputs that are missing, and run Redis with AOF persistence (redis-server --appendonly yes) so a restart keeps the jobs.");
    }

    // What Orleans throws when no silo takes the call: no gateway is known alive ("No gateways available", a
    // rejection), the gateway's connection failed or closed, or a call sent to a gateway that then died timed out.
    private static bool IsOutage(Exception e) =>
        e is OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException or TimeoutException;

    private static bool Changed(UpscaleJobStatus before, UpscaleJobStatus now) =>
        before.State != now.State ||
        before.Segments.Count != now.Segments.Count ||
        before.Segments.Zip(now.Segments).Any(p => p.First.State != p.Second.State || p.First.FramesDone != p.Second.FramesDone || p.First.Attempts != p.Second.Attempts);

    // With splitting asked for, each sequence's segments, planned here (every input is on storage this client sees) as
    // the job layer plans a split run in one process, so that the job grain never reads frames in a grain call.
    private static async Task<IReadOnlyList<SegmentRange[]>?> PlanSegmentsAsync(IReadOnlyList<SequenceJob> sequences, UpscaleJobOptions options, CancellationToken cancellationToken)
    {
        var segmenting = options.ToSegmentOptions();
        if (!segmenting.Splits)
        {
            return null;
        }

        if (sequences.FirstOrDefault(s => MediaPaths.IsVideoOutput(s.Output)) is { } video)
        {
            throw new InvalidInputException(
                $"Splitting sequences into segments (MaxSegmentFrames, SplitAtSceneCuts) is for frame-folder outputs, and '{video.Output}' is a video: " +
                "give a folder output (PNG frames) for split jobs, or submit video outputs without splitting.");
        }

        var planned = new List<SegmentRange[]>(sequences.Count);
        foreach (var sequence in sequences)
        {
            var ranges = await UpscaleJobRunner.PlanSegmentsAsync(sequence.Input, segmenting, cancellationToken: cancellationToken).ConfigureAwait(false);
            planned.Add(ranges.Select(SegmentRange.From).ToArray());
        }

        return planned;
    }

    private static void Check(IReadOnlyList<SequenceJob> sequences)
    {
        if (sequences.Count == 0)
        {
            throw new InvalidInputException("The job has no sequence: give at least one input.");
        }

        var outputs = new HashSet<string>(StringComparer.Ordinal);
        var inputs = sequences.Select(s => s.Input.TrimEnd(Path.DirectorySeparatorChar)).ToHashSet(StringComparer.Ordinal);
        foreach (var sequence in sequences)
        {
            var output = sequence.Output.TrimEnd(Path.DirectorySeparatorChar);
            if (!File.Exists(sequence.Input) && !Directory.Exists(sequence.Input))
            {
                throw new InvalidInputException($"The input '{sequence.Input}' does not exist: give a folder of frames or a video on storage every worker sees.");
            }

            if (inputs.Contains(output))
            {
                throw new InvalidInputException($"The output '{sequence.Output}' is an input of the job: upscaled frames would replace frames being read. Give another output.");
            }

            if (!outputs.Add(output))
            {
                throw new InvalidInputException($"Two sequences of the job write to '{sequence.Output}': give each its own output.");
            }

            if (File.Exists(output) || Directory.Exists(output))
            {
                throw new InvalidInputException($"The output '{sequence.Output}' exists: move it away or give another output (a job never replaces an output).");
            }

            if (!MediaPaths.IsVideoOutput(output) && MediaPaths.HasVideoInputExtension(output))
            {
                throw new InvalidInputException($"The output '{sequence.Output}' has a video extension StableVsr does not write; use one of {string.Join(", ", MediaPaths.VideoOutputExtensions)}, or a folder.");
            }
        }
    }
}
