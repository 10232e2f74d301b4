using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.IO;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Segments;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// The job layer: runs <see cref="UpscaleJob"/>s (a path in, a path out) on a StableVsr upscaler. A job is planned
/// first (<see cref="PlanAsync"/>: every check that needs no model, nothing written), then run: the output is claimed,
/// the sequence (or its range, or its segments one by one) is upscaled window by window with a journal in the work
/// folder, every window is committed durably (output, then journal), and an interrupted run resumes to the bytes an
/// uninterrupted one writes. The command line, the cluster's workers and training's validation all run through here.
/// </summary>
public sealed partial class UpscaleJobRunner
{
    private readonly StableVsrPipeline pipeline;
    private readonly ILoggerFactory loggerFactory;
    private readonly ILogger logger;

    /// <summary>Creates a runner over an upscaler made by StableVsr (<see cref="IVideoUpscalerFactory"/> or <see cref="StableVsrPipeline"/>), which stays the caller's.</summary>
    /// <param name="upscaler">The upscaler; a resumable run needs its carried window state, so it must be StableVsr's own.</param>
    /// <param name="loggerFactory">Logging; null logs nothing.</param>
    /// <exception cref="ArgumentException"><paramref name="upscaler"/> is not a StableVsr pipeline.</exception>
    public UpscaleJobRunner(IVideoUpscaler upscaler, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(upscaler);
        pipeline = upscaler as StableVsrPipeline ?? throw new ArgumentException(
            $"The job layer runs StableVsr's own upscalers (from IVideoUpscalerFactory or a StableVsrPipeline), not {upscaler.GetType().Name}: resuming needs the windows' carried state.",
            nameof(upscaler));
        this.loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        logger = this.loggerFactory.CreateLogger<UpscaleJobRunner>();
    }

    /// <summary>The upscaler the jobs run on.</summary>
    public IVideoUpscaler Upscaler => pipeline;

    /// <summary>
    /// Checks and resolves a job without loading a model or writing anything: the paths (the input exists, the output is
    /// not the input, a complete output is replaced only when asked), what they are, the journal folder, the frame count
    /// (a video is probed) and, for a split sequence, its segments (its frames are read once).
    /// </summary>
    /// <exception cref="InvalidInputException">The job cannot run as asked; the message says why and what to do.</exception>
    public static Task<UpscaleJobPlan> PlanAsync(UpscaleJob job, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default) =>
        JobPlanner.PlanAsync(job, loggerFactory ?? NullLoggerFactory.Instance, cancellationToken);

    /// <summary>
    /// The segments a cluster job with <paramref name="options"/> splits <paramref name="input"/> into (the sequence's
    /// frames are read once to count them and find scene cuts); one covering the whole sequence when nothing splits it.
    /// </summary>
    /// <exception cref="InvalidInputException">The input is missing, empty, corrupt or of mixed frame sizes, or the options are invalid.</exception>
    public static async Task<IReadOnlyList<SequenceRange>> PlanSegmentsAsync(string input, SegmentOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var source = MediaPaths.OpenSource(input, loggerFactory);
        await using (source.ConfigureAwait(false))
        {
            return await SegmentPlanner.PlanAsync(source, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Plans and runs a job (see <see cref="PlanAsync"/> and <see cref="RunAsync(UpscaleJobPlan, IProgress{UpscaleProgress}?, Func{int, CancellationToken, Task}?, CancellationToken)"/>).</summary>
    /// <param name="job">The job.</param>
    /// <param name="progress">Receives progress reports; may be null.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step.</param>
    /// <returns>The frames the output holds.</returns>
    /// <exception cref="InvalidInputException">The job cannot run as asked, or its input or output fails on the way.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled; committed windows stay resumable.</exception>
    public async Task<int> RunAsync(UpscaleJob job, IProgress<UpscaleProgress>? progress, CancellationToken cancellationToken) =>
        await RunAsync(await PlanAsync(job, loggerFactory, cancellationToken).ConfigureAwait(false), progress, null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs a planned job: nothing when its output is already complete, else claims the output and upscales into it
    /// window by window, committing each window durably; the journal goes once the output is complete.
    /// </summary>
    /// <param name="plan">The job, as <see cref="PlanAsync"/> resolved it.</param>
    /// <param name="progress">Receives progress reports (may be null); frames are numbered in the whole sequence, resumed or not.</param>
    /// <param name="committed">Awaited after each window is durable with the frames the output holds so far (a cluster worker reports them); it may stop the run by throwing. May be null.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step; committed windows stay resumable.</param>
    /// <returns>The frames the output holds.</returns>
    /// <exception cref="InvalidInputException">
    /// The input is empty, corrupt or of mixed frame sizes; a frame cannot be written; a journal is there and the job is a
    /// new run; or the journal is from another input, model or options, damaged, or from a newer version (each message
    /// says which and how to start over).
    /// </exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    public async Task<int> RunAsync(UpscaleJobPlan plan, IProgress<UpscaleProgress>? progress, Func<int, CancellationToken, Task>? committed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsComplete)
        {
            LogSkipped(logger, plan.Output);
            return plan.FrameCount ?? 0;
        }

        CheckMemory(plan);
        using var claim = plan.Claim();
        if (plan.Segments.Count > 1)
        {
            return await SegmentedRun.RunAsync(pipeline, plan, progress, committed, loggerFactory, logger, cancellationToken).ConfigureAwait(false);
        }

        var source = MediaPaths.OpenSource(plan.Input, loggerFactory);
        await using (source.ConfigureAwait(false))
        {
            var sink = ClaimOutput(plan);
            await using (sink.ConfigureAwait(false))
            {
                var frames = await ResumableRun.RunAsync(pipeline, source, sink, plan.Job.Range, plan.WorkFolder, plan.Job.Resume, progress, committed, logger, cancellationToken).ConfigureAwait(false);
                LogFinished(logger, plan.Output, frames);
                return frames;
            }
        }
    }

    /// <summary>
    /// Refuses a plan whose frames cannot fit in the memory of the machine its models run on (see
    /// <see cref="MemoryEstimate"/>; checked where the models run on the CPU), before the output is claimed.
    /// </summary>
    /// <exception cref="InvalidInputException">The run cannot fit; the message names the frame size and what helps.</exception>
    internal void CheckMemory(UpscaleJobPlan plan) => CheckMemory(plan, pipeline.Options.Sampling, pipeline.Models.Device.type == TorchSharp.DeviceType.CPU);

    /// <summary>
    /// Refuses, before a model is loaded or anything allocated, a planned job whose frames cannot fit in this machine's
    /// memory with <paramref name="options"/>: a lower bound from the tensors the pipeline allocates (RAFT's correlation
    /// of a frame pair, the window's flows, decoding a frame; see docs/troubleshooting.md), checked where the models run
    /// on the CPU against the memory .NET may use. <see cref="RunAsync(UpscaleJobPlan, IProgress{UpscaleProgress}?, Func{int, CancellationToken, Task}?, CancellationToken)"/> checks it too.
    /// </summary>
    /// <exception cref="InvalidInputException">The run cannot fit; the message names the frame size and the options that help (--vae-tile, --window, --state-device).</exception>
    public static void EnsureFits(UpscaleJobPlan plan, UpscaleOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var onCpu = options.Device.Kind == ComputeDeviceKind.Cpu || (options.Device.Kind == ComputeDeviceKind.Auto && !TorchSharp.torch.cuda.is_available());
        CheckMemory(plan, options.Sampling, onCpu);
    }

    private static void CheckMemory(UpscaleJobPlan plan, SamplingOptions sampling, bool onCpu)
    {
        if (plan.FrameWidth <= 0 || plan.IsComplete || !onCpu)
        {
            return;
        }

        MemoryEstimate.For(plan.FrameWidth, plan.FrameHeight, sampling)
            .ThrowIfOver(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, plan.FrameWidth, plan.FrameHeight, sampling);
    }

    /// <summary>
    /// Runs several frame-folder jobs together (<see cref="IVideoUpscaler.UpscaleSequencesAsync"/>, up to
    /// <see cref="UpscaleOptions.SequenceBatchSize"/> sequences at a time): faster for many short sequences, but each batch
    /// is read whole and written at its end, without a journal. Complete outputs are skipped.
    /// </summary>
    /// <returns>The frames each job's output holds, in the order given.</returns>
    /// <exception cref="InvalidInputException">A job reads or writes a video, has a range or segments, or its frames cannot be read or written.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled; finished batches stay.</exception>
    public async Task<IReadOnlyList<int>> RunTogetherAsync(IReadOnlyList<UpscaleJobPlan> plans, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plans);
        if (plans.FirstOrDefault(p => p.InputIsVideo || p.OutputIsVideo || p.Job.Range is not null || p.Segments.Count > 0) is { } refused)
        {
            throw new InvalidInputException(
                $"Sequences are upscaled together from folders of frames into folders of frames, whole; '{refused.Input}' -> '{refused.Output}' is not such a job: upscale it on its own (--sequence-batch 1).");
        }

        var frames = plans.Select(p => p.IsComplete ? p.FrameCount ?? 0 : 0).ToArray();
        var todo = Enumerable.Range(0, plans.Count).Where(i => !plans[i].IsComplete).ToArray();
        foreach (var i in todo)
        {
            CheckMemory(plans[i]);
        }

        var claims = new List<IDisposable>(todo.Length);
        try
        {
            foreach (var i in todo)
            {
                claims.Add(plans[i].Claim());
            }

            await RunBatchesAsync(plans, todo, frames, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            claims.ForEach(c => c.Dispose());
        }

        return frames;
    }

    private async Task RunBatchesAsync(IReadOnlyList<UpscaleJobPlan> plans, int[] todo, int[] frames, IProgress<UpscaleProgress>? progress, CancellationToken cancellationToken)
    {
        foreach (var batch in todo.Chunk(pipeline.Options.SequenceBatchSize))
        {
            var sequences = new List<IReadOnlyList<VideoFrame>>(batch.Length);
            foreach (var i in batch)
            {
                sequences.Add(await ReadWholeAsync(plans[i].Input, cancellationToken).ConfigureAwait(false));
            }

            var upscaled = await pipeline.UpscaleSequencesAsync(sequences, progress, cancellationToken).ConfigureAwait(false);
            for (var b = 0; b < batch.Length; b++)
            {
                var sink = ClaimOutput(plans[batch[b]]);
                await using (sink.ConfigureAwait(false))
                {
                    foreach (var frame in upscaled[b])
                    {
                        await sink.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                    }

                    await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }

                frames[batch[b]] = upscaled[b].Count;
                LogFinished(logger, plans[batch[b]].Output, upscaled[b].Count);
            }
        }
    }

    // The one place a job takes its output: the sink for the plan's output, the input video as the output's source video.
    private IFrameSink ClaimOutput(UpscaleJobPlan plan)
    {
        var encoding = plan.Job.Encoding ?? VideoEncodeOptions.Default;
        if (encoding.SourceVideo is null && plan.InputIsVideo)
        {
            encoding = encoding with { SourceVideo = plan.Input };
        }

        return MediaPaths.CreateSink(plan.Output, plan.WorkFolder, encoding, loggerFactory);
    }

    private static async Task<IReadOnlyList<VideoFrame>> ReadWholeAsync(string folder, CancellationToken cancellationToken)
    {
        var frames = new List<VideoFrame>();
        await using var source = new ImageFolderSource(folder);
        await foreach (var frame in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            frames.Add(frame);
        }

        return frames;
    }

    [LoggerMessage(EventId = LoggerEventIds.JobSkipped, Level = LogLevel.Information, Message = "{Output} is complete; skipped")]
    private static partial void LogSkipped(ILogger logger, string output);

    [LoggerMessage(EventId = LoggerEventIds.JobFinished, Level = LogLevel.Information, Message = "Wrote {Frames} frame(s) to {Output}")]
    private static partial void LogFinished(ILogger logger, string output, int frames);
}
