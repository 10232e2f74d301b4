using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Schedulers;
using StableVsr.Weights.Hub;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// StableVSR as an <see cref="IVideoUpscaler"/>: LR frames in, 4x frames out, computed exactly as the reference
/// pipeline does (empty prompt, no classifier-free guidance, DDPM by default). Load it once with
/// <see cref="LoadAsync"/> and reuse it for many clips; runs on one pipeline are serialised.
/// </summary>
public sealed partial class StableVsrPipeline : IVideoUpscaler
{
    private readonly StableVsrModels models;
    private readonly ILogger logger;
    private readonly SemaphoreSlim runLock = new(1, 1);
    private readonly Dictionary<string, Tensor> promptCache = new(StringComparer.Ordinal);
    private readonly Device? stateDevice;
    private bool disposed;

    /// <summary>Creates a pipeline over already loaded models, which it then owns and disposes.</summary>
    /// <exception cref="InvalidInputException">The options are invalid.</exception>
    /// <exception cref="NativeBackendException"><see cref="UpscaleOptions.StateDevice"/> names a device that is not available.</exception>
    public StableVsrPipeline(StableVsrModels models, UpscaleOptions? options = null, ILogger<StableVsrPipeline>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        options ??= UpscaleOptions.Default;
        options.Validate();
        stateDevice = options.StateDevice is null ? null : TorchBackend.ResolveDevice(options.StateDevice);
        this.models = models;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        Options = options;
    }

    /// <inheritdoc />
    public UpscaleOptions Options { get; }

    /// <summary>The loaded models.</summary>
    public StableVsrModels Models => models;

    /// <summary>
    /// Loads the pipeline: resolves the model (local folder, or Hugging Face id through the cache) and RAFT weights,
    /// picks the device from <see cref="UpscaleOptions.Device"/> and loads every model in its precision.
    /// </summary>
    /// <param name="source">The model and RAFT weights.</param>
    /// <param name="options">Run options; null takes <see cref="UpscaleOptions.Default"/>.</param>
    /// <param name="loggerFactory">Logging; null logs nothing.</param>
    /// <param name="hubOptions">Hugging Face and torch hub settings; null reads HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE and TORCH_HOME.</param>
    /// <param name="downloadProgress">Receives download progress when weights must be fetched.</param>
    /// <param name="cancellationToken">Cancels downloads and loading.</param>
    /// <exception cref="ModelLoadException">The model or RAFT weights cannot be found, downloaded or loaded.</exception>
    /// <exception cref="NativeBackendException">The backend or the requested device is not available.</exception>
    public static async Task<StableVsrPipeline> LoadAsync(
        PipelineSource source,
        UpscaleOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        HubOptions? hubOptions = null,
        IProgress<DownloadProgress>? downloadProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= UpscaleOptions.Default;
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var device = TorchBackend.ResolveDevice(options.Device);
        if (options.CpuThreads is { } threads)
        {
            torch.set_num_threads(threads);
        }

        hubOptions ??= HubOptions.FromEnvironment();
        var modelFolder = await WeightsLocator.ResolveModelAsync(source.Model, hubOptions, loggerFactory, downloadProgress, cancellationToken).ConfigureAwait(false);
        var raftFile = await WeightsLocator.ResolveRaftAsync(source.Raft, hubOptions, loggerFactory, downloadProgress, cancellationToken).ConfigureAwait(false);
        var models = await Task.Run(() => StableVsrModels.Load(modelFolder, raftFile, device, options.Precision, loggerFactory, source.ControlNet), cancellationToken).ConfigureAwait(false);
        return new StableVsrPipeline(models, options, loggerFactory.CreateLogger<StableVsrPipeline>());
    }

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
            input = await ReadClipAsync(frames, progress, clock, cancellationToken).ConfigureAwait(false);
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

        progress?.Report(new UpscaleProgress(UpscalePhase.Completed, -1, upscaled.Count, 0, Options.Steps, clock.Elapsed, 1));
    }

    /// <summary>
    /// Upscales several clips (for example a folder of sequences) in one run: clips with the same frame size are sampled
    /// together, up to <see cref="UpscaleOptions.ClipBatchSize"/> at a time, so their frames share each UNet and
    /// ControlNet call. Every clip gets the noise it would get alone (from <see cref="UpscaleOptions.Seed"/>), so its
    /// frames equal those of <see cref="UpscaleAsync"/> on that clip up to floating-point rounding of batched kernels.
    /// </summary>
    /// <param name="clips">The clips, each a list of frames of one size, in clip order; at least one clip.</param>
    /// <param name="progress">Receives progress reports; <see cref="UpscaleProgress.Clip"/> says which clip a report is about.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step.</param>
    /// <returns>The upscaled clips, in the order given, each with its frames in input order.</returns>
    /// <exception cref="InvalidInputException">No clips, an empty clip, or a clip with frames of mixed sizes.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    public async Task<IReadOnlyList<IReadOnlyList<VideoFrame>>> UpscaleClipsAsync(
        IReadOnlyList<IReadOnlyList<VideoFrame>> clips,
        IProgress<UpscaleProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (clips.Count == 0)
        {
            throw new InvalidInputException("No clips were given: give at least one clip.");
        }

        for (var c = 0; c < clips.Count; c++)
        {
            ArgumentNullException.ThrowIfNull(clips[c], nameof(clips));
            if (clips[c].Count == 0)
            {
                throw new InvalidInputException($"Clip {c} has no frames: give at least one frame per clip.");
            }

            foreach (var frame in clips[c])
            {
                ArgumentNullException.ThrowIfNull(frame, nameof(clips));
                CheckSameSize(clips[c][0], frame, $"clip {c}");
            }
        }

        var clock = Stopwatch.StartNew();
        var upscaled = await RunExclusiveAsync(() => UpscaleClipFrames(clips, progress, clock, cancellationToken), clock, cancellationToken).ConfigureAwait(false);
        progress?.Report(new UpscaleProgress(UpscalePhase.Completed, -1, upscaled.Sum(c => c.Count), 0, Options.Steps, clock.Elapsed, 1) { ClipCount = clips.Count });
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
        Action<int, UpscalePhase, int, int, double>? perClip = report is null ? null : (_, phase, frame, step, fraction) => report(phase, frame, step, fraction);
        return Upscale([lowResolution], noise is null ? null : [noise], promptEmbeds, perClip, cancellationToken)[0];
    }

    /// <summary>
    /// Upscales several clips of LR frames [N, 3, h, w] in [-1, 1] to [N, 3, 4h, 4w] in [0, 1] on the CPU, sampling
    /// clips whose padded frame size is the same together, up to <see cref="UpscaleOptions.ClipBatchSize"/> at a time.
    /// Each clip uses its own noise source, so its result equals upscaling it alone up to floating-point rounding.
    /// </summary>
    /// <param name="clips">The clips (any device; float); clips may differ in size and length.</param>
    /// <param name="noises">One noise source per clip; null derives every clip's noise from <see cref="UpscaleOptions.Seed"/>.</param>
    /// <param name="promptEmbeds">Text embeddings [1, tokens, hidden]; null encodes <see cref="UpscaleOptions.Prompt"/>.</param>
    /// <param name="report">Called after each unit of work with the clip, phase, frame, step and fraction of the whole run done.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step.</param>
    /// <returns>The upscaled clips, in the order given.</returns>
    /// <exception cref="InvalidInputException">No clips, a tensor that is not [N, 3, h, w] with N at least 1, or a noise list of another length.</exception>
    public IReadOnlyList<Tensor> Upscale(
        IReadOnlyList<Tensor> clips,
        IReadOnlyList<INoiseSource>? noises = null,
        Tensor? promptEmbeds = null,
        Action<int, UpscalePhase, int, int, double>? report = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ObjectDisposedException.ThrowIf(disposed, this);
        CheckClipTensors(clips, noises);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var embeds = promptEmbeds?.to(ScalarType.Float32, models.Device) ?? PromptEmbeds(Options.Prompt);
        var scheduler = SchedulerFactory.FromConfig(models.SchedulerConfig, Options.Scheduler, Options.DdimEta);
        scheduler.SetTimesteps(Options.Steps);
        var steps = scheduler.Timesteps.Count;
        var total = clips.Sum(c => (double)(c.shape[0] - 1 + (steps * c.shape[0]) + c.shape[0]));
        var done = 0;
        void Report(int clip, UpscalePhase phase, int frame, int step) => report?.Invoke(clip, phase, frame, step, ++done / total);

        var sampler = new BidirectionalSampler(models, Options.NoiseLevel, stateDevice, Options.VaeTileSize);
        var results = new Tensor[clips.Count];
        var batches = Enumerable.Range(0, clips.Count)
            .GroupBy(c => (FramePadding.PaddedSide((int)clips[c].shape[2]), FramePadding.PaddedSide((int)clips[c].shape[3])))
            .SelectMany(group => group.Chunk(Options.ClipBatchSize));
        foreach (var batch in batches)
        {
            using var batchScope = NewDisposeScope();
            var (height, width) = ((int)clips[batch[0]].shape[2], (int)clips[batch[0]].shape[3]);
            LogStarting(logger, batch.Sum(c => (int)clips[c].shape[0]), batch.Length, width, height, steps, models.Device.ToString());
            var sampling = new List<SamplingClip>();
            try
            {
                foreach (var c in batch)
                {
                    var padded = FramePadding.Pad(clips[c].to(ScalarType.Float32, stateDevice ?? models.Device));
                    var flows = ClipFlows.Compute(
                        models.Raft,
                        padded,
                        Options.RaftIterations,
                        Options.RaftNormalization,
                        stateDevice,
                        Options.HalfPrecisionFlows ? ScalarType.Float16 : ScalarType.Float32,
                        cancellationToken,
                        k => Report(c, UpscalePhase.OpticalFlow, k, 0));
                    sampling.Add(new SamplingClip(padded, noises?[c] ?? new SeededNoiseSource(Options.Seed), flows));
                }

                var images = sampler.Sample(sampling, embeds, scheduler, (b, phase, frame, step) => Report(batch[b], phase, frame, step), cancellationToken);
                for (var b = 0; b < batch.Length; b++)
                {
                    var clip = clips[batch[b]];
                    results[batch[b]] = FramePadding.Crop(images[b], (int)clip.shape[2] * 4, (int)clip.shape[3] * 4).cpu().MoveToOuterDisposeScope();
                }
            }
            finally
            {
                foreach (var clip in sampling)
                {
                    clip.Flows.Dispose();
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
            report: (phase, frame, step, fraction) => progress?.Report(new UpscaleProgress(phase, frame, frameCount, step, Options.Steps, clock.Elapsed, fraction)),
            cancellationToken: cancellationToken);
        var frames = FrameTensors.ToFrames(output, PixelRange.ZeroToOne);
        LogFinished(logger, frameCount, clock.Elapsed.TotalSeconds);
        return frames.Select((f, i) => f.WithIndex(input[i].Index, input[i].Name)).ToArray();
    }

    private IReadOnlyList<IReadOnlyList<VideoFrame>> UpscaleClipFrames(IReadOnlyList<IReadOnlyList<VideoFrame>> clips, IProgress<UpscaleProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var lowResolution = clips.Select(c => FrameTensors.ToTensor(c, PixelRange.MinusOneToOne)).ToArray();
        var output = Upscale(
            lowResolution,
            report: (clip, phase, frame, step, fraction) => progress?.Report(
                new UpscaleProgress(phase, frame, clips[clip].Count, step, Options.Steps, clock.Elapsed, fraction) { Clip = clip, ClipCount = clips.Count }),
            cancellationToken: cancellationToken);
        var upscaled = new IReadOnlyList<VideoFrame>[clips.Count];
        for (var c = 0; c < clips.Count; c++)
        {
            var input = clips[c];
            upscaled[c] = FrameTensors.ToFrames(output[c], PixelRange.ZeroToOne).Select((f, i) => f.WithIndex(input[i].Index, input[i].Name)).ToArray();
        }

        LogFinished(logger, clips.Sum(c => c.Count), clock.Elapsed.TotalSeconds);
        return upscaled;
    }

    private static void CheckSameSize(VideoFrame first, VideoFrame frame, string where)
    {
        if (frame.Width != first.Width || frame.Height != first.Height)
        {
            throw new InvalidInputException(
                $"Frames of a clip must all have the same size: in {where}, frame {frame.Index}{Named(frame)} is {frame.Width}x{frame.Height}, " +
                $"frame {first.Index}{Named(first)} is {first.Width}x{first.Height}. Resize them first or upscale them as separate clips.");
        }
    }

    private static void CheckClipTensors(IReadOnlyList<Tensor> clips, IReadOnlyList<INoiseSource>? noises)
    {
        if (clips.Count == 0)
        {
            throw new InvalidInputException("No clips were given: give at least one tensor of LR frames.");
        }

        for (var c = 0; c < clips.Count; c++)
        {
            var clip = clips[c];
            ArgumentNullException.ThrowIfNull(clip, nameof(clips));
            if (clip.dim() != 4 || clip.shape[1] != 3 || clip.shape[0] < 1)
            {
                var which = clips.Count == 1 ? string.Empty : $"Clip {c}: ";
                throw new InvalidInputException($"{which}Expected LR frames [N, 3, h, w] with N >= 1, got [{string.Join(", ", clip.shape)}].");
            }
        }

        if (noises is not null && noises.Count != clips.Count)
        {
            throw new InvalidInputException($"Give one noise source per clip: {clips.Count} clip(s) but {noises.Count} noise source(s).");
        }
    }

    private async Task<IReadOnlyList<VideoFrame>> ReadClipAsync(IAsyncEnumerable<VideoFrame> frames, IProgress<UpscaleProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        var input = new List<VideoFrame>();
        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            ArgumentNullException.ThrowIfNull(frame, nameof(frames));
            if (input.Count > 0)
            {
                CheckSameSize(input[0], frame, "the clip");
            }

            input.Add(frame);
            progress?.Report(new UpscaleProgress(UpscalePhase.Reading, frame.Index, input.Count, 0, Options.Steps, clock.Elapsed, 0));
        }

        if (input.Count == 0)
        {
            throw new InvalidInputException("The clip has no frames: give at least one frame.");
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

    private static string Named(VideoFrame frame) => frame.Name is null ? string.Empty : $" ('{frame.Name}')";

    [LoggerMessage(Level = LogLevel.Information, Message = "Upscaling {Frames} frame(s) of {Clips} clip(s) of {Width}x{Height} with {Steps} steps on {Device}")]
    private static partial void LogStarting(ILogger logger, int frames, int clips, int width, int height, int steps, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upscaled {Frames} frame(s) in {Seconds:F1} s")]
    private static partial void LogFinished(ILogger logger, int frames, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upscaling cancelled after {Seconds:F1} s")]
    private static partial void LogCancelled(ILogger logger, double seconds);
}
