using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.IO;
using StableVsr.Models.Loading;
using StableVsr.Models.Runtime;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Schedulers;
using StableVsr.Sampling.Segments;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// StableVSR as an <see cref="IVideoUpscaler"/>: LR frames in, 4x frames out, computed exactly as the reference
/// pipeline does (empty prompt, no classifier-free guidance, DDPM by default). Create it over models loaded by
/// <see cref="StableVsrModelLoader"/> (or through <see cref="IVideoUpscalerFactory"/>) and reuse it for many
/// sequences; runs on one pipeline are serialised.
/// </summary>
public sealed partial class StableVsrPipeline : IVideoUpscaler
{
    private readonly StableVsrModels models;
    private readonly ILogger logger;
    private readonly SemaphoreSlim runLock = new(1, 1);
    private readonly Lazy<SamplingThread> samplingThread = new(() => new SamplingThread("StableVsr sampling"));
    private readonly Dictionary<string, Tensor> promptCache = new(StringComparer.Ordinal);
    private readonly Device? stateDevice;
    private readonly WindowSampler windowSampler;
    private bool disposed;

    /// <summary>Creates a pipeline over loaded models, which it then owns and disposes.</summary>
    /// <param name="models">The networks, loaded on the device and in the precision <paramref name="options"/> name.</param>
    /// <param name="options">Run options; null takes <see cref="UpscaleOptions.Default"/> with the models' precision.</param>
    /// <param name="logger">Logging; null logs nothing.</param>
    /// <exception cref="InvalidInputException">The options are invalid, or name another device or precision than the models were loaded with.</exception>
    /// <exception cref="NativeBackendException"><see cref="UpscaleOptions.StateDevice"/> names a device that is not available.</exception>
    public StableVsrPipeline(StableVsrModels models, UpscaleOptions? options = null, ILogger<StableVsrPipeline>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        options ??= UpscaleOptions.Default with { Precision = models.Precision };
        options.Validate();
        if (options.Precision != models.Precision)
        {
            throw new InvalidInputException(
                $"UpscaleOptions.Precision ({options.Precision}) differs from the precision the models were loaded in ({models.Precision}): load them with the options' precision.");
        }

        if (options.Device.Kind != ComputeDeviceKind.Auto && !SameDevice(TorchBackend.ResolveDevice(options.Device), models.Device))
        {
            throw new InvalidInputException(
                $"UpscaleOptions.Device ({options.Device}) is not the device the models were loaded on ({models.Device}): load them on that device.");
        }

        stateDevice = options.StateDevice is { } state ? TorchBackend.ResolveDevice(state) : null;
        if (options.CpuThreads is { } threads)
        {
            torch.set_num_threads(threads);
        }

        this.models = models;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        Options = options;
        windowSampler = new WindowSampler(models, options, stateDevice);
    }

    /// <inheritdoc />
    public UpscaleOptions Options { get; }

    /// <summary>The loaded models.</summary>
    public StableVsrModels Models => models;

    /// <summary>
    /// Upscales a sequence window by window (<see cref="UpscaleOptions.WindowSize"/> frames each). The input is read
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
        using var state = new SequenceState(new SeededNoiseSource(Options.Seed));
        var count = 0;
        await foreach (var window in WindowsAsync(frames, state, progress, clock, cancellationToken).ConfigureAwait(false))
        {
            foreach (var frame in window)
            {
                count++;
                yield return frame;
            }
        }

        LogFinished(logger, count, clock.Elapsed.TotalSeconds);
        progress?.Report(UpscaleProgress.Completed(count, Options.Steps, clock.Elapsed));
    }

    /// <summary>
    /// Upscales <paramref name="source"/> into <paramref name="sink"/> window by window, committing the sink after each
    /// window; with a journal, the run can be resumed after Ctrl+C, a kill or a power cut and its output is then
    /// byte-identical to an uninterrupted run's. The journal records the run's identity (input and model fingerprints,
    /// the options that change the output) and, after each window, the frames committed and the carried state; a resume
    /// reads the input again, skips the committed frames and continues with the next window. The journal is removed
    /// when the output is complete.
    /// </summary>
    /// <param name="source">The LR frames.</param>
    /// <param name="sink">Where the upscaled frames go.</param>
    /// <param name="journal">Where to keep the journal and what to do with one already there; null runs without one.</param>
    /// <param name="progress">Receives progress reports; frames are numbered in the whole sequence, resumed or not.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step; committed windows stay resumable.</param>
    /// <returns>The number of frames the output holds.</returns>
    /// <exception cref="InvalidInputException">
    /// The input is empty, corrupt or of mixed frame sizes; a frame cannot be written; a journal is there and
    /// <see cref="ResumeMode.New"/> was asked; or the journal is from another input, model or options, damaged, or from
    /// a newer version (each message says which and how to start over).
    /// </exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    public Task<int> UpscaleResumableAsync(
        IFrameSource source,
        IFrameSink sink,
        JournalOptions? journal = null,
        IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sink);
        ObjectDisposedException.ThrowIf(disposed, this);
        return RunResumableAsync(source, sink, null, journal, progress, cancellationToken);
    }

    /// <summary>
    /// Upscales frames [<see cref="SequenceRange.Start"/>, <see cref="SequenceRange.End"/>) of <paramref name="source"/>
    /// into <paramref name="sink"/> as <see cref="UpscaleResumableAsync"/> does the whole sequence: the
    /// <see cref="SequenceRange.WarmUp"/> frames before the range are sampled first (windows counted from the first of
    /// them, guidance carried as usual) and not written, so the range's first frame starts with carried temporal
    /// guidance. Frames keep their index in the whole sequence, so each draws the noise it draws in an unsplit run: a
    /// range warmed up from frame 0 gives exactly the unsplit run's bytes for its frames when its end is the sequence's
    /// end or on the unsplit run's window grid (a multiple of <see cref="UpscaleOptions.WindowSize"/>); a range whose end
    /// cuts a window short samples that last window with fewer frames. The frames after the range are never read. The
    /// journal's identity includes the range, so a journal of one range is never resumed as another.
    /// </summary>
    /// <param name="source">The LR frames of the whole sequence.</param>
    /// <param name="sink">Where the range's upscaled frames go (only those; they keep their sequence-wide index and name).</param>
    /// <param name="range">The frames to output and the warm-up before them.</param>
    /// <param name="journal">Where to keep the journal and what to do with one already there; null runs without one.</param>
    /// <param name="progress">Receives progress reports; frames are numbered in the whole sequence.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step; committed windows stay resumable.</param>
    /// <returns>The number of frames the output holds (the range's <see cref="SequenceRange.Count"/>).</returns>
    /// <exception cref="InvalidInputException">
    /// As <see cref="UpscaleResumableAsync"/>, and when the sequence ends before the range does.
    /// </exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    public Task<int> UpscaleRangeAsync(
        IFrameSource source,
        IFrameSink sink,
        SequenceRange range,
        JournalOptions? journal = null,
        IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(range);
        ObjectDisposedException.ThrowIf(disposed, this);
        return RunResumableAsync(new RangeFrameSource(source, range), new RangeFrameSink(sink, range), range, journal, progress, cancellationToken);
    }

    // The resumable run of a whole sequence (range null) or of a range, whose source and sink are already cut to it.
    private async Task<int> RunResumableAsync(
        IFrameSource source,
        IFrameSink sink,
        SequenceRange? range,
        JournalOptions? journal,
        IProgress<UpscaleProgress>? progress,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (record, state) = await OpenJournalAsync(source, sink, journal, range, cancellationToken).ConfigureAwait(false);
        var firstOutput = range?.Start ?? 0;
        using (state)
        {
            var written = state.NextFrame;
            try
            {
                await foreach (var window in WindowsAsync(source.ReadAsync(cancellationToken), state, progress, clock, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var frame in window)
                    {
                        await sink.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                    }

                    // The output first, then the journal: after a crash between the two, the sink holds more than the
                    // journal says and a resume discards the extra frames.
                    await sink.CommitAsync(cancellationToken).ConfigureAwait(false);
                    written = state.NextFrame;
                    record?.Commit(written, state.Carry);
                }

                await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException e)
            {
                throw Cancelled(e, clock, Math.Max(0, written - firstOutput));
            }

            if (journal is not null)
            {
                UpscaleJournal.Delete(journal.Folder);
            }

            var output = Math.Max(0, written - firstOutput);
            LogFinished(logger, output, clock.Elapsed.TotalSeconds);
            progress?.Report(UpscaleProgress.Completed(output, Options.Steps, clock.Elapsed));
            return output;
        }
    }

    /// <summary>
    /// Upscales several sequences (for example a folder of sequences) in one run: sequences with the same frame size are
    /// sampled together, up to <see cref="UpscaleOptions.SequenceBatchSize"/> at a time and window by window, so their
    /// frames share each UNet and ControlNet call. Every sequence gets the noise it would get alone (from
    /// <see cref="UpscaleOptions.Seed"/>), so its frames equal those of <see cref="UpscaleAsync(IAsyncEnumerable{VideoFrame}, IProgress{UpscaleProgress}?, CancellationToken)"/> on that sequence up
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
        if (sequences.Count == 0)
        {
            throw new InvalidInputException("No sequences were given: give at least one sequence.");
        }

        for (var c = 0; c < sequences.Count; c++)
        {
            ArgumentNullException.ThrowIfNull(sequences[c], nameof(sequences));
            if (sequences[c].Count == 0)
            {
                throw new InvalidInputException($"Sequence {c} has no frames: give at least one frame per sequence.");
            }

            foreach (var frame in sequences[c])
            {
                ArgumentNullException.ThrowIfNull(frame, nameof(sequences));
                CheckSameSize(sequences[c][0], frame, $"sequence {c}");
            }
        }

        var clock = Stopwatch.StartNew();
        var upscaled = await RunExclusiveAsync(() => UpscaleSequenceFrames(sequences, progress, clock, cancellationToken), clock, cancellationToken).ConfigureAwait(false);
        progress?.Report(UpscaleProgress.Completed(upscaled.Sum(c => c.Count), Options.Steps, clock.Elapsed) with { SequenceCount = sequences.Count });
        return upscaled;
    }

    /// <summary>
    /// The tensor-level entry point: upscales LR frames [N, 3, h, w] in [-1, 1] to [N, 3, 4h, 4w] in [0, 1] on the
    /// CPU, window by window. Sizes the models cannot take directly are padded by reflection and the result cropped back.
    /// </summary>
    /// <param name="lowResolution">The LR frames (any device; float).</param>
    /// <param name="noise">Noise source; null derives it from <see cref="UpscaleOptions.Seed"/>.</param>
    /// <param name="promptEmbeds">Text embeddings [1, tokens, hidden]; null encodes <see cref="UpscaleOptions.Prompt"/>.</param>
    /// <param name="report">Called after each unit of work with the phase, frame, step and fraction done.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step.</param>
    /// <exception cref="InvalidInputException">The tensor is not [N, 3, h, w] with N at least 1.</exception>
    public Tensor Upscale(
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

    /// <summary>
    /// Upscales several sequences of LR frames [N, 3, h, w] in [-1, 1] to [N, 3, 4h, 4w] in [0, 1] on the CPU, window
    /// by window, sampling the windows of sequences whose padded frame size is the same together, up to
    /// <see cref="UpscaleOptions.SequenceBatchSize"/> at a time. Each sequence uses its own noise source, so its result
    /// equals upscaling it alone up to floating-point rounding.
    /// </summary>
    /// <param name="sequences">The sequences (any device; float); sequences may differ in size and length.</param>
    /// <param name="noises">One noise source per sequence; null derives every sequence's noise from <see cref="UpscaleOptions.Seed"/>.</param>
    /// <param name="promptEmbeds">Text embeddings [1, tokens, hidden]; null encodes <see cref="UpscaleOptions.Prompt"/>.</param>
    /// <param name="report">Called after each unit of work with the sequence, phase, frame, step and fraction of the whole run done.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step.</param>
    /// <returns>The upscaled sequences, in the order given.</returns>
    /// <exception cref="InvalidInputException">No sequences, a tensor that is not [N, 3, h, w] with N at least 1, or a noise list of another length.</exception>
    public IReadOnlyList<Tensor> UpscaleSequences(
        IReadOnlyList<Tensor> sequences,
        IReadOnlyList<INoiseSource>? noises = null,
        Tensor? promptEmbeds = null,
        Action<int, UpscalePhase, int, int, double>? report = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ObjectDisposedException.ThrowIf(disposed, this);
        CheckSequenceTensors(sequences, noises);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var embeds = promptEmbeds?.to(ScalarType.Float32, models.Device) ?? PromptEmbeds(Options.Prompt);
        var scheduler = CreateScheduler();
        var total = sequences.Sum(c => c.shape[0] * WindowSampler.UnitsPerFrame(scheduler.Timesteps.Count));
        var done = 0;
        var results = new Tensor[sequences.Count];
        var batches = Enumerable.Range(0, sequences.Count)
            .GroupBy(c => (FramePadding.PaddedSide((int)sequences[c].shape[2]), FramePadding.PaddedSide((int)sequences[c].shape[3])))
            .SelectMany(group => group.Chunk(Options.SequenceBatchSize));
        foreach (var batch in batches)
        {
            using var batchScope = NewDisposeScope();
            var (height, width) = ((int)sequences[batch[0]].shape[2], (int)sequences[batch[0]].shape[3]);
            LogStarting(logger, batch.Sum(c => (int)sequences[c].shape[0]), batch.Length, width, height, scheduler.Timesteps.Count, models.Device.ToString());
            var states = batch.Select(c => new SequenceState(noises?[c] ?? new SeededNoiseSource(Options.Seed))).ToArray();
            try
            {
                // Each window's images go straight into the sequence's preallocated output, so nothing accumulates per
                // window and the finished sequence exists once.
                foreach (var c in batch)
                {
                    results[c] = empty([sequences[c].shape[0], 3, sequences[c].shape[2] * 4, sequences[c].shape[3] * 4], ScalarType.Float32, CPU).MoveToOuterDisposeScope();
                }

                for (var start = 0; ; start += Options.WindowSize)
                {
                    var members = Enumerable.Range(0, batch.Length).Where(b => sequences[batch[b]].shape[0] > start).ToArray();
                    if (members.Length == 0)
                    {
                        break;
                    }

                    using var windowScope = NewDisposeScope();
                    var end = start + Options.WindowSize;
                    var images = windowSampler.SampleNext(
                        members.Select(b => (states[b], sequences[batch[b]][start..(int)Math.Min(end, sequences[batch[b]].shape[0])])).ToArray(),
                        members.Select(b => end < sequences[batch[b]].shape[0]).ToArray(),
                        embeds,
                        scheduler,
                        (m, phase, frame, step) => report?.Invoke(batch[members[m]], phase, frame, step, ++done / total),
                        cancellationToken);
                    for (var m = 0; m < members.Length; m++)
                    {
                        results[batch[members[m]]][start..(start + (int)images[m].shape[0])].copy_(images[m]);
                    }
                }
            }
            finally
            {
                foreach (var state in states)
                {
                    state.Dispose();
                }
            }
        }

        return results.Select(r => r.MoveToOuterDisposeScope()).ToArray();
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

        foreach (var embeds in promptCache.Values)
        {
            embeds.Dispose();
        }

        models.Dispose();
        runLock.Dispose();
    }

    private Tensor PromptEmbeds(string prompt)
    {
        if (!promptCache.TryGetValue(prompt, out var embeds))
        {
            embeds = models.EncodePrompt(prompt);
            embeds.DetachFromDisposeScope();
            promptCache[prompt] = embeds;
        }

        return embeds.alias();
    }

    // Reads the frames lazily and yields each window's upscaled frames as soon as the window is sampled. It reads one
    // frame past a window before sampling it, to know whether the sequence goes on (only then is the carry kept), and
    // skips the frames before state.NextFrame (a resumed run reads its input from the start).
    private async IAsyncEnumerable<IReadOnlyList<VideoFrame>> WindowsAsync(
        IAsyncEnumerable<VideoFrame> frames,
        SequenceState state,
        IProgress<UpscaleProgress>? progress,
        Stopwatch clock,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var window = new List<VideoFrame>(Options.WindowSize);
        VideoFrame? first = null;
        var read = 0;
        await using var input = frames.GetAsyncEnumerator(cancellationToken);
        var more = await NextAsync(input, clock).ConfigureAwait(false);
        while (more)
        {
            var frame = input.Current ?? throw new ArgumentException("The frames include null.", nameof(frames));
            first ??= frame;
            CheckSameSize(first, frame, "the sequence");
            read++;
            more = await NextAsync(input, clock).ConfigureAwait(false);
            if (read <= state.NextFrame)
            {
                continue;
            }

            window.Add(frame);
            progress?.Report(UpscaleProgress.Reading(frame.Index, read, Options.Steps, clock.Elapsed));
            if (window.Count == Options.WindowSize || !more)
            {
                var inWindow = window.ToArray();
                window.Clear();
                var goesOn = more;
                var known = read;
                yield return await RunExclusiveAsync(() => SampleWindow(state, inWindow, goesOn, known, progress, clock, cancellationToken), clock, cancellationToken).ConfigureAwait(false);
            }
        }

        if (read == 0)
        {
            throw new InvalidInputException("The sequence has no frames: give at least one frame.");
        }

        if (read < state.NextFrame)
        {
            throw new InvalidInputException(
                $"The input has {read} frame(s), fewer than the {state.NextFrame} the journal says were already upscaled: it is not the input of the interrupted run.");
        }
    }

    private async ValueTask<bool> NextAsync(IAsyncEnumerator<VideoFrame> input, Stopwatch clock)
    {
        try
        {
            return await input.MoveNextAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw Cancelled(e, clock);
        }
    }

    // Opens, creates or discards the journal as asked, prepares the sink, and returns where the sequence stands.
    // A range starts at its first warm-up frame, with no carry: windows are counted from there.
    private async Task<(UpscaleJournal? Journal, SequenceState State)> OpenJournalAsync(IFrameSource source, IFrameSink sink, JournalOptions? options, SequenceRange? range, CancellationToken cancellationToken)
    {
        var noise = new SeededNoiseSource(Options.Seed);
        var firstFrame = range?.FirstSampled ?? 0;
        if (options is null)
        {
            return (null, new SequenceState(noise, firstFrame));
        }

        var identity = JournalIdentity.For(Options, models.Fingerprint, source.Description, await source.FingerprintAsync(cancellationToken).ConfigureAwait(false), range);
        if (UpscaleJournal.Exists(options.Folder))
        {
            switch (options.Mode)
            {
                case ResumeMode.New:
                    throw new InvalidInputException(
                        $"An interrupted run of '{sink.Description}' left its journal in '{options.Folder}': resume it (--resume, ResumeMode.Resume) or start over (--restart, ResumeMode.Restart).");
                case ResumeMode.Restart:
                    UpscaleJournal.Delete(options.Folder);
                    await sink.ResumeAsync(0, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    var existing = UpscaleJournal.Open(options.Folder);
                    var differences = existing.Identity.Differences(identity);
                    if (differences.Count > 0)
                    {
                        throw new InvalidInputException(
                            $"The journal in '{options.Folder}' is from another run, so resuming would not give its output: {string.Join("; ", differences)}. " +
                            "Run with the same input, model and options, or start over with --restart (ResumeMode.Restart).");
                    }

                    var carry = existing.LoadCarry(stateDevice ?? models.Device);
                    await sink.ResumeAsync(existing.CommittedFrames, cancellationToken).ConfigureAwait(false);
                    LogResuming(logger, existing.CommittedFrames, options.Folder);
                    return (existing, new SequenceState(noise, existing.CommittedFrames, Options.GuideAcrossWindows ? carry : null));
            }
        }

        return (UpscaleJournal.Create(options.Folder, identity), new SequenceState(noise, firstFrame));
    }

    private NoiseScheduler CreateScheduler()
    {
        var scheduler = SchedulerFactory.FromConfig(models.SchedulerConfig, Options.Scheduler);
        scheduler.SetTimesteps(Options.Steps);
        return scheduler;
    }

    // One window of a streamed sequence, on the run thread: frames in, upscaled frames out, the state moved on.
    private IReadOnlyList<VideoFrame> SampleWindow(SequenceState state, IReadOnlyList<VideoFrame> window, bool moreFollow, int read, IProgress<UpscaleProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var scheduler = CreateScheduler();
        var unitsPerFrame = WindowSampler.UnitsPerFrame(scheduler.Timesteps.Count);
        var done = state.NextFrame * unitsPerFrame;
        var total = read * unitsPerFrame;
        var lowResolution = FrameTensors.ToTensor(window, PixelRange.MinusOneToOne);
        var images = windowSampler.SampleNext(
            [(state, lowResolution)],
            [moreFollow],
            PromptEmbeds(Options.Prompt),
            scheduler,
            (_, phase, frame, step) => progress?.Report(UpscaleProgress.Working(phase, frame, read, step, Options.Steps, clock.Elapsed, ++done / total)),
            cancellationToken);
        var frames = FrameTensors.ToFrames(images[0], PixelRange.ZeroToOne);
        return frames.Select((f, i) => f.WithIndex(window[i].Index, window[i].Name)).ToArray();
    }

    private IReadOnlyList<IReadOnlyList<VideoFrame>> UpscaleSequenceFrames(IReadOnlyList<IReadOnlyList<VideoFrame>> sequences, IProgress<UpscaleProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var lowResolution = sequences.Select(c => FrameTensors.ToTensor(c, PixelRange.MinusOneToOne)).ToArray();
        var output = UpscaleSequences(
            lowResolution,
            report: (sequence, phase, frame, step, fraction) => progress?.Report(
                UpscaleProgress.Working(phase, frame, sequences[sequence].Count, step, Options.Steps, clock.Elapsed, fraction) with { Sequence = sequence, SequenceCount = sequences.Count }),
            cancellationToken: cancellationToken);
        var upscaled = new IReadOnlyList<VideoFrame>[sequences.Count];
        for (var c = 0; c < sequences.Count; c++)
        {
            var input = sequences[c];
            upscaled[c] = FrameTensors.ToFrames(output[c], PixelRange.ZeroToOne).Select((f, i) => f.WithIndex(input[i].Index, input[i].Name)).ToArray();
        }

        LogFinished(logger, sequences.Sum(c => c.Count), clock.Elapsed.TotalSeconds);
        return upscaled;
    }

    private static void CheckSameSize(VideoFrame first, VideoFrame frame, string where)
    {
        if (frame.Width != first.Width || frame.Height != first.Height)
        {
            throw new InvalidInputException(
                $"Frames of a sequence must all have the same size: in {where}, frame {frame.Index}{Named(frame)} is {frame.Width}x{frame.Height}, " +
                $"frame {first.Index}{Named(first)} is {first.Width}x{first.Height}. Resize them first or upscale them as separate sequences.");
        }
    }

    private static void CheckSequenceTensors(IReadOnlyList<Tensor> sequences, IReadOnlyList<INoiseSource>? noises)
    {
        if (sequences.Count == 0)
        {
            throw new InvalidInputException("No sequences were given: give at least one tensor of LR frames.");
        }

        for (var c = 0; c < sequences.Count; c++)
        {
            var sequence = sequences[c];
            ArgumentNullException.ThrowIfNull(sequence, nameof(sequences));
            if (sequence.dim() != 4 || sequence.shape[1] != 3 || sequence.shape[0] < 1)
            {
                var which = sequences.Count == 1 ? string.Empty : $"Sequence {c}: ";
                throw new InvalidInputException($"{which}Expected LR frames [N, 3, h, w] with N >= 1, got [{string.Join(", ", sequence.shape)}].");
            }
        }

        if (noises is not null && noises.Count != sequences.Count)
        {
            throw new InvalidInputException($"Give one noise source per sequence: {sequences.Count} sequence(s) but {noises.Count} noise source(s).");
        }
    }

    /// <summary>
    /// Runs heavy work on the pipeline's sampling thread (TorchSharp's dispose scopes and grad mode are per thread; see
    /// <see cref="SamplingThread"/> for why it is always the same one), one run per pipeline at a time, and reports
    /// cancellation as <see cref="UpscaleCanceledException"/>.
    /// </summary>
    private async Task<T> RunExclusiveAsync<T>(Func<T> work, Stopwatch clock, CancellationToken cancellationToken)
    {
        try
        {
            await runLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await samplingThread.Value.RunAsync(work, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                runLock.Release();
            }
        }
        catch (OperationCanceledException e)
        {
            throw Cancelled(e, clock);
        }
    }

    private UpscaleCanceledException Cancelled(OperationCanceledException e, Stopwatch clock, int committed = 0)
    {
        LogCancelled(logger, clock.Elapsed.TotalSeconds);
        return new UpscaleCanceledException(
            committed == 0 ? "Upscaling was cancelled before a window was finished." : $"Upscaling was cancelled; {committed} frame(s) were committed and a resume continues after them.",
            e);
    }

    private static bool SameDevice(Device a, Device b) => a.type == b.type && Math.Max(a.index, 0) == Math.Max(b.index, 0);

    private static string Named(VideoFrame frame) => frame.Name is null ? string.Empty : $" ('{frame.Name}')";

    [LoggerMessage(Level = LogLevel.Information, Message = "Upscaling {Frames} frame(s) of {Sequences} sequence(s) of {Width}x{Height} with {Steps} steps on {Device}")]
    private static partial void LogStarting(ILogger logger, int frames, int sequences, int width, int height, int steps, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upscaled {Frames} frame(s) in {Seconds:F1} s")]
    private static partial void LogFinished(ILogger logger, int frames, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming after {Frames} committed frame(s), journal in {Folder}")]
    private static partial void LogResuming(ILogger logger, int frames, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upscaling cancelled after {Seconds:F1} s")]
    private static partial void LogCancelled(ILogger logger, double seconds);
}
