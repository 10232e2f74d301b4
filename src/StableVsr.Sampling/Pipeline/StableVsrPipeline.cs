using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.IO;
using StableVsr.Models.Loading;
using StableVsr.Models.Runtime;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Schedulers;
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
    private readonly Dictionary<string, Tensor> promptCache = new(StringComparer.Ordinal);
    private readonly Device? stateDevice;
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
    }

    /// <inheritdoc />
    public UpscaleOptions Options { get; }

    /// <summary>The loaded models.</summary>
    public StableVsrModels Models => models;

    /// <inheritdoc />
    public async IAsyncEnumerable<VideoFrame> UpscaleAsync(
        IAsyncEnumerable<VideoFrame> frames,
        IProgress<UpscaleProgress>? progress = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ObjectDisposedException.ThrowIf(disposed, this);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<VideoFrame> input;
        try
        {
            input = await ReadSequenceAsync(frames, progress, clock, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw Cancelled(e, clock);
        }

        var upscaled = await RunExclusiveAsync(() => UpscaleFrames(input, progress, clock, cancellationToken), clock, cancellationToken).ConfigureAwait(false);
        foreach (var frame in upscaled)
        {
            yield return frame;
        }

        progress?.Report(UpscaleProgress.Completed(upscaled.Count, Options.Steps, clock.Elapsed));
    }

    /// <summary>
    /// Upscales several sequences (for example a folder of sequences) in one run: sequences with the same frame size are sampled
    /// together, up to <see cref="UpscaleOptions.SequenceBatchSize"/> at a time, so their frames share each UNet and
    /// ControlNet call. Every sequence gets the noise it would get alone (from <see cref="UpscaleOptions.Seed"/>), so its
    /// frames equal those of <see cref="UpscaleAsync"/> on that sequence up to floating-point rounding of batched kernels.
    /// </summary>
    /// <param name="sequences">The sequences, each a list of frames of one size, in sequence order; at least one sequence.</param>
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
    /// CPU. Sizes the models cannot take directly are padded by reflection and the result cropped back.
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
    /// Upscales several sequences of LR frames [N, 3, h, w] in [-1, 1] to [N, 3, 4h, 4w] in [0, 1] on the CPU, sampling
    /// sequences whose padded frame size is the same together, up to <see cref="UpscaleOptions.SequenceBatchSize"/> at a time.
    /// Each sequence uses its own noise source, so its result equals upscaling it alone up to floating-point rounding.
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
        var scheduler = SchedulerFactory.FromConfig(models.SchedulerConfig, Options.Scheduler);
        scheduler.SetTimesteps(Options.Steps);
        var steps = scheduler.Timesteps.Count;
        var total = sequences.Sum(c => (double)(c.shape[0] - 1 + (steps * c.shape[0]) + c.shape[0]));
        var done = 0;
        void Report(int sequence, UpscalePhase phase, int frame, int step) => report?.Invoke(sequence, phase, frame, step, ++done / total);

        var sampler = new BidirectionalSampler(models, Options.NoiseLevel, stateDevice, Options.VaeTileSize);
        var results = new Tensor[sequences.Count];
        var batches = Enumerable.Range(0, sequences.Count)
            .GroupBy(c => (FramePadding.PaddedSide((int)sequences[c].shape[2]), FramePadding.PaddedSide((int)sequences[c].shape[3])))
            .SelectMany(group => group.Chunk(Options.SequenceBatchSize));
        foreach (var batch in batches)
        {
            using var batchScope = NewDisposeScope();
            var (height, width) = ((int)sequences[batch[0]].shape[2], (int)sequences[batch[0]].shape[3]);
            LogStarting(logger, batch.Sum(c => (int)sequences[c].shape[0]), batch.Length, width, height, steps, models.Device.ToString());
            var sampling = new List<SamplingSequence>();
            try
            {
                foreach (var c in batch)
                {
                    var padded = FramePadding.Pad(sequences[c].to(ScalarType.Float32, stateDevice ?? models.Device));
                    var flows = SequenceFlows.Compute(
                        models.Raft,
                        padded,
                        Options.RaftIterations,
                        Options.RaftNormalization,
                        stateDevice,
                        Options.HalfPrecisionFlows ? ScalarType.Float16 : ScalarType.Float32,
                        cancellationToken,
                        k => Report(c, UpscalePhase.OpticalFlow, k, 0));
                    sampling.Add(new SamplingSequence(padded, noises?[c] ?? new SeededNoiseSource(Options.Seed), flows));
                }

                var images = sampler.Sample(sampling, embeds, scheduler, (b, phase, frame, step) => Report(batch[b], phase, frame, step), cancellationToken);
                for (var b = 0; b < batch.Length; b++)
                {
                    var sequence = sequences[batch[b]];
                    results[batch[b]] = FramePadding.Crop(images[b], (int)sequence.shape[2] * 4, (int)sequence.shape[3] * 4).cpu().MoveToOuterDisposeScope();
                }
            }
            finally
            {
                foreach (var sequence in sampling)
                {
                    sequence.Flows.Dispose();
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

    private IReadOnlyList<VideoFrame> UpscaleFrames(IReadOnlyList<VideoFrame> input, IProgress<UpscaleProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var frameCount = input.Count;
        var lowResolution = FrameTensors.ToTensor(input, PixelRange.MinusOneToOne);
        var output = Upscale(
            lowResolution,
            report: (phase, frame, step, fraction) => progress?.Report(UpscaleProgress.Working(phase, frame, frameCount, step, Options.Steps, clock.Elapsed, fraction)),
            cancellationToken: cancellationToken);
        var frames = FrameTensors.ToFrames(output, PixelRange.ZeroToOne);
        LogFinished(logger, frameCount, clock.Elapsed.TotalSeconds);
        return frames.Select((f, i) => f.WithIndex(input[i].Index, input[i].Name)).ToArray();
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

    private async Task<IReadOnlyList<VideoFrame>> ReadSequenceAsync(IAsyncEnumerable<VideoFrame> frames, IProgress<UpscaleProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        var input = new List<VideoFrame>();
        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            ArgumentNullException.ThrowIfNull(frame, nameof(frames));
            if (input.Count > 0)
            {
                CheckSameSize(input[0], frame, "the sequence");
            }

            input.Add(frame);
            progress?.Report(UpscaleProgress.Reading(frame.Index, input.Count, Options.Steps, clock.Elapsed));
        }

        if (input.Count == 0)
        {
            throw new InvalidInputException("The sequence has no frames: give at least one frame.");
        }

        return input;
    }

    /// <summary>
    /// Runs heavy work on a dedicated thread (TorchSharp's dispose scopes and grad mode are per thread), one run per
    /// pipeline at a time, and reports cancellation as <see cref="UpscaleCanceledException"/>.
    /// </summary>
    private async Task<T> RunExclusiveAsync<T>(Func<T> work, Stopwatch clock, CancellationToken cancellationToken)
    {
        try
        {
            await runLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
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

    private UpscaleCanceledException Cancelled(OperationCanceledException e, Stopwatch clock)
    {
        LogCancelled(logger, clock.Elapsed.TotalSeconds);
        return new UpscaleCanceledException("Upscaling was cancelled; no frame was produced.", e);
    }

    private static bool SameDevice(Device a, Device b) => a.type == b.type && Math.Max(a.index, 0) == Math.Max(b.index, 0);

    private static string Named(VideoFrame frame) => frame.Name is null ? string.Empty : $" ('{frame.Name}')";

    [LoggerMessage(Level = LogLevel.Information, Message = "Upscaling {Frames} frame(s) of {Sequences} sequence(s) of {Width}x{Height} with {Steps} steps on {Device}")]
    private static partial void LogStarting(ILogger logger, int frames, int sequences, int width, int height, int steps, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upscaled {Frames} frame(s) in {Seconds:F1} s")]
    private static partial void LogFinished(ILogger logger, int frames, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upscaling cancelled after {Seconds:F1} s")]
    private static partial void LogCancelled(ILogger logger, double seconds);
}
