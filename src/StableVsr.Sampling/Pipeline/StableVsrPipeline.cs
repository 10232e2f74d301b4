using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Models.Loading;
using StableVsr.Models.Runtime;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Schedulers;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// StableVSR as an <see cref="IVideoUpscaler"/>: LR frames in, 4x frames out, computed exactly as the reference
/// pipeline does (empty prompt, no classifier-free guidance, DDPM by default). Create it over models loaded by
/// <see cref="StableVsrModelLoader"/> (or through <see cref="IVideoUpscalerFactory"/>) and reuse it for many
/// sequences; its work runs on one sampling thread of its own, one window at a time. Paths, resumable runs and frame
/// ranges are the job layer's (<see cref="Jobs.UpscaleJobRunner"/>).
/// </summary>
public sealed partial class StableVsrPipeline : IVideoUpscaler
{
    private readonly StableVsrModels models;
    private readonly ILogger logger;
    private readonly Lazy<SamplingThread> samplingThread = new(() => new SamplingThread("StableVsr sampling"));
    private readonly PromptCache prompts;
    private readonly WindowSampler windowSampler;
    private readonly SequenceBatchSampler batchSampler;
    private readonly bool ownsModels;
    private bool disposed;

    /// <summary>Creates a pipeline over loaded models, which it then owns and disposes.</summary>
    /// <param name="models">The networks, loaded on the device and in the precision <paramref name="options"/> name.</param>
    /// <param name="options">Run options; null takes <see cref="UpscaleOptions.Default"/> with the models' precision.</param>
    /// <param name="logger">Logging; null logs nothing.</param>
    /// <exception cref="InvalidInputException">The options are invalid, or name another device or precision than the models were loaded with.</exception>
    /// <exception cref="NativeBackendException"><see cref="UpscaleOptions.StateDevice"/> names a device that is not available.</exception>
    public StableVsrPipeline(StableVsrModels models, UpscaleOptions? options = null, ILogger<StableVsrPipeline>? logger = null)
        : this(models, options, logger, ownsModels: true)
    {
    }

    /// <summary>Creates a pipeline over loaded models; with <paramref name="ownsModels"/> false they stay the caller's (training validates with its own networks).</summary>
    internal StableVsrPipeline(StableVsrModels models, UpscaleOptions? options, ILogger<StableVsrPipeline>? logger, bool ownsModels)
    {
        ArgumentNullException.ThrowIfNull(models);
        options ??= UpscaleOptions.Default with { Precision = models.Precision };
        var stateDevice = PipelineChecks.CheckOptions(options, models);
        if (options.CpuThreads is { } threads)
        {
            TorchSharp.torch.set_num_threads(threads);
        }

        this.models = models;
        this.ownsModels = ownsModels;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        Options = options;
        StateDevice = stateDevice;
        prompts = new PromptCache(models);
        windowSampler = new WindowSampler(models, options.Sampling, stateDevice);
        batchSampler = new SequenceBatchSampler(models, options, windowSampler, prompts, this.logger);
    }

    /// <inheritdoc />
    public UpscaleOptions Options { get; }

    /// <summary>The loaded models.</summary>
    public StableVsrModels Models => models;

    /// <summary>Where per-frame state lives; null for the compute device (see <see cref="UpscaleOptions.StateDevice"/>).</summary>
    internal Device? StateDevice { get; }

    /// <summary>
    /// Upscales a sequence window by window (<see cref="SamplingOptions.WindowSize"/> frames each). The input is read
    /// lazily, a window at a time (back-pressure: at most one window of frames is buffered beyond what is being
    /// denoised), and each window's frames are yielded as soon as the window is sampled, so memory stays flat in
    /// sequence length and the first frames come out after the first window rather than at the end.
    /// </summary>
    /// <inheritdoc />
    public async IAsyncEnumerable<VideoFrame> UpscaleAsync(
        IAsyncEnumerable<VideoFrame> frames,
        IProgress<UpscaleProgress>? progress = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ObjectDisposedException.ThrowIf(disposed, this);
        var clock = Stopwatch.StartNew();
        using var state = new SequenceState(new SeededNoiseSource(Options.Sampling.Seed));
        var count = 0;
        await foreach (var window in SampleWindowsAsync(frames, state, progress, clock, cancellationToken).ConfigureAwait(false))
        {
            foreach (var frame in window)
            {
                count++;
                yield return frame;
            }
        }

        ReportFinished(progress, count, clock);
    }

    /// <summary>
    /// Upscales several sequences (for example a folder of sequences) in one run: sequences with the same frame size are
    /// sampled together, up to <see cref="UpscaleOptions.SequenceBatchSize"/> at a time and window by window, so their
    /// frames share each UNet and ControlNet call. Every sequence gets the noise it would get alone (from
    /// <see cref="SamplingOptions.Seed"/>), so its frames equal those of <see cref="UpscaleAsync(IAsyncEnumerable{VideoFrame}, IProgress{UpscaleProgress}?, CancellationToken)"/> on that sequence up
    /// to floating-point rounding of batched kernels. The frames come back when every sequence is done.
    /// </summary>
    /// <param name="sequences">The sequences, each a list of frames of one size, in order; at least one sequence.</param>
    /// <param name="progress">Receives progress reports; <see cref="UpscaleProgress.Sequence"/> says which sequence a report is about.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step.</param>
    /// <returns>The upscaled sequences, in the order given, each with its frames in input order.</returns>
    /// <exception cref="InvalidInputException">No sequences, an empty sequence, or a sequence with frames of mixed sizes.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    public async Task<IReadOnlyList<IReadOnlyList<VideoFrame>>> UpscaleSequencesAsync(
        IReadOnlyList<IReadOnlyList<VideoFrame>> sequences,
        IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ObjectDisposedException.ThrowIf(disposed, this);
        PipelineChecks.CheckSequences(sequences);
        var clock = Stopwatch.StartNew();
        var steps = Options.Sampling.Steps;
        var upscaled = await RunAsync(
            () => batchSampler.Upscale(
                sequences,
                (sequence, phase, frame, step, fraction) => progress?.Report(
                    UpscaleProgress.Working(phase, frame, sequences[sequence].Count, step, steps, clock.Elapsed, fraction) with { Sequence = sequence, SequenceCount = sequences.Count }),
                cancellationToken),
            clock,
            cancellationToken).ConfigureAwait(false);
        var frames = upscaled.Sum(c => c.Count);
        LogFinished(logger, frames, clock.Elapsed.TotalSeconds);
        progress?.Report(UpscaleProgress.Completed(frames, steps, clock.Elapsed) with { SequenceCount = sequences.Count });
        return upscaled;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        // The thread first: a run still queued or in flight finishes before the weights it uses are freed.
        if (samplingThread.IsValueCreated)
        {
            samplingThread.Value.Dispose();
        }

        prompts.Dispose();
        if (ownsModels)
        {
            models.Dispose();
        }
    }

    /// <summary>
    /// The tensor-level entry point: upscales LR frames [N, 3, h, w] in [-1, 1] to [N, 3, 4h, 4w] in [0, 1] on the
    /// CPU, window by window, on the calling thread. Sizes the models cannot take directly are padded by reflection and
    /// the result cropped back.
    /// </summary>
    /// <param name="lowResolution">The LR frames (any device; float).</param>
    /// <param name="noise">Noise source; null derives it from <see cref="SamplingOptions.Seed"/>.</param>
    /// <param name="promptEmbeds">Text embeddings [1, tokens, hidden]; null encodes <see cref="SamplingOptions.Prompt"/>.</param>
    /// <param name="report">Called after each unit of work with the phase, frame, step and fraction done.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step.</param>
    /// <exception cref="InvalidInputException">The tensor is not [N, 3, h, w] with N at least 1.</exception>
    internal Tensor Upscale(
        Tensor lowResolution,
        INoiseSource? noise = null,
        Tensor? promptEmbeds = null,
        Action<UpscalePhase, int, int, double>? report = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lowResolution);
        Action<int, UpscalePhase, int, int, double>? perSequence = report is null ? null : (_, phase, frame, step, fraction) => report(phase, frame, step, fraction);
        return UpscaleSequences([lowResolution], noise is null ? null : [noise], promptEmbeds, perSequence, cancellationToken)[0];
    }

    /// <summary>Several sequences of LR frame tensors, batched as <see cref="UpscaleSequencesAsync"/> does, on the calling thread.</summary>
    /// <exception cref="InvalidInputException">No sequences, a tensor that is not [N, 3, h, w] with N at least 1, or a noise list of another length.</exception>
    internal IReadOnlyList<Tensor> UpscaleSequences(
        IReadOnlyList<Tensor> sequences,
        IReadOnlyList<INoiseSource>? noises = null,
        Tensor? promptEmbeds = null,
        Action<int, UpscalePhase, int, int, double>? report = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ObjectDisposedException.ThrowIf(disposed, this);
        return batchSampler.Upscale(sequences, noises, promptEmbeds, report, cancellationToken);
    }

    /// <summary>
    /// Samples a streamed sequence window by window from where <paramref name="state"/> stands (a resumed run's state
    /// skips the committed frames and carries the last committed window's guidance), yielding each window's upscaled
    /// frames as soon as it is done and moving the state past it. The job layer commits between windows.
    /// </summary>
    /// <exception cref="InvalidInputException">No frames, frames of mixed sizes, or fewer frames than the state has passed.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    internal async IAsyncEnumerable<IReadOnlyList<VideoFrame>> SampleWindowsAsync(
        IAsyncEnumerable<VideoFrame> frames,
        SequenceState state,
        IProgress<UpscaleProgress>? progress,
        Stopwatch clock,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var steps = Options.Sampling.Steps;
        await using var windows = WindowReader.ReadAsync(
                frames,
                Options.Sampling.WindowSize,
                state.NextFrame,
                (frame, read) => progress?.Report(UpscaleProgress.Reading(frame.Index, read, steps, clock.Elapsed)),
                cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            FrameWindow window;
            try
            {
                if (!await windows.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                window = windows.Current;
            }
            catch (OperationCanceledException e)
            {
                throw Cancelled(e, clock);
            }

            yield return await RunAsync(() => SampleWindow(state, window, progress, clock, cancellationToken), clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The scheduler of <paramref name="sampling"/> over the models' scheduler config, with its timesteps set.</summary>
    internal static NoiseScheduler CreateScheduler(StableVsrModels models, SamplingOptions sampling)
    {
        var scheduler = SchedulerFactory.FromConfig(models.SchedulerConfig, sampling.Scheduler);
        scheduler.SetTimesteps(sampling.Steps);
        return scheduler;
    }

    /// <summary>Logs and builds the exception a cancelled run ends with; <paramref name="committed"/> frames stay resumable.</summary>
    internal UpscaleCanceledException Cancelled(OperationCanceledException e, Stopwatch clock, int committed = 0)
    {
        LogCancelled(logger, clock.Elapsed.TotalSeconds);
        return new UpscaleCanceledException(
            committed == 0 ? "Upscaling was cancelled before a window was finished." : $"Upscaling was cancelled; {committed} frame(s) were committed and a resume continues after them.",
            e);
    }

    /// <summary>Logs a finished run and sends its final progress report.</summary>
    internal void ReportFinished(IProgress<UpscaleProgress>? progress, int frames, Stopwatch clock)
    {
        LogFinished(logger, frames, clock.Elapsed.TotalSeconds);
        progress?.Report(UpscaleProgress.Completed(frames, Options.Sampling.Steps, clock.Elapsed));
    }

    // One window of a streamed sequence, on the sampling thread: frames in, upscaled frames out, the state moved on.
    private IReadOnlyList<VideoFrame> SampleWindow(SequenceState state, FrameWindow window, IProgress<UpscaleProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var sampling = Options.Sampling;
        var scheduler = CreateScheduler(models, sampling);
        var unitsPerFrame = WindowSampler.UnitsPerFrame(scheduler.Timesteps.Count);
        var done = state.NextFrame * unitsPerFrame;
        var total = window.Read * unitsPerFrame;
        var lowResolution = FrameTensors.ToTensor(window.Frames, PixelRange.MinusOneToOne);
        var images = windowSampler.SampleNext(
            [(state, lowResolution)],
            [window.MoreFollow],
            prompts.Get(sampling.Prompt),
            scheduler,
            (_, phase, frame, step) => progress?.Report(UpscaleProgress.Working(phase, frame, window.Read, step, sampling.Steps, clock.Elapsed, ++done / total)),
            cancellationToken);
        var frames = FrameTensors.ToFrames(images[0], PixelRange.ZeroToOne);
        return frames.Select((f, i) => f.WithIndex(window.Frames[i].Index, window.Frames[i].Name)).ToArray();
    }

    /// <summary>
    /// Runs heavy work on the pipeline's sampling thread (TorchSharp's dispose scopes and grad mode are per thread; see
    /// <see cref="SamplingThread"/> for why it is always the same one, which also runs one piece of work at a time),
    /// and reports cancellation as <see cref="UpscaleCanceledException"/>.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<T> work, Stopwatch clock, CancellationToken cancellationToken)
    {
        try
        {
            return await samplingThread.Value.RunAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw Cancelled(e, clock);
        }
    }

    [LoggerMessage(EventId = LoggerEventIds.SamplingFinished, Level = LogLevel.Information, Message = "Upscaled {Frames} frame(s) in {Seconds:F1} s")]
    private static partial void LogFinished(ILogger logger, int frames, double seconds);

    [LoggerMessage(EventId = LoggerEventIds.SamplingCancelled, Level = LogLevel.Warning, Message = "Upscaling cancelled after {Seconds:F1} s")]
    private static partial void LogCancelled(ILogger logger, double seconds);
}
