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
    private bool disposed;

    /// <summary>Creates a pipeline over already loaded models, which it then owns and disposes.</summary>
    /// <exception cref="InvalidInputException">The options are invalid.</exception>
    public StableVsrPipeline(StableVsrModels models, UpscaleOptions? options = null, ILogger<StableVsrPipeline>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        options ??= UpscaleOptions.Default;
        options.Validate();
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
        var models = await Task.Run(() => StableVsrModels.Load(modelFolder, raftFile, device, options.Precision, loggerFactory), cancellationToken).ConfigureAwait(false);
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
        IReadOnlyList<VideoFrame> upscaled;
        try
        {
            var input = await ReadClipAsync(frames, progress, clock, cancellationToken).ConfigureAwait(false);
            await runLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                upscaled = await Task.Factory.StartNew(
                    () => UpscaleFrames(input, progress, clock, cancellationToken),
                    cancellationToken,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default).ConfigureAwait(false);
            }
            finally
            {
                runLock.Release();
            }
        }
        catch (OperationCanceledException e)
        {
            LogCancelled(logger, clock.Elapsed.TotalSeconds);
            throw new UpscaleCanceledException("Upscaling was cancelled; no frame was produced.", e);
        }

        foreach (var frame in upscaled)
        {
            yield return frame;
        }

        progress?.Report(new UpscaleProgress(UpscalePhase.Completed, -1, upscaled.Count, 0, Options.Steps, clock.Elapsed, 1));
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
        ObjectDisposedException.ThrowIf(disposed, this);
        if (lowResolution.dim() != 4 || lowResolution.shape[1] != 3 || lowResolution.shape[0] < 1)
        {
            throw new InvalidInputException($"Expected LR frames [N, 3, h, w] with N >= 1, got [{string.Join(", ", lowResolution.shape)}].");
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (count, height, width) = ((int)lowResolution.shape[0], (int)lowResolution.shape[2], (int)lowResolution.shape[3]);
        var padded = FramePadding.Pad(lowResolution.to(ScalarType.Float32, models.Device));
        var embeds = promptEmbeds?.to(ScalarType.Float32, models.Device) ?? PromptEmbeds(Options.Prompt);

        var scheduler = SchedulerFactory.FromConfig(models.SchedulerConfig, Options.Scheduler, Options.DdimEta);
        scheduler.SetTimesteps(Options.Steps);
        var steps = scheduler.Timesteps.Count;
        var total = (double)(count - 1 + (steps * count) + count);
        var done = 0;
        void Report(UpscalePhase phase, int frame, int step) => report?.Invoke(phase, frame, step, ++done / total);

        LogStarting(logger, count, width, height, steps, models.Device.ToString());
        using var flows = ClipFlows.Compute(models.Raft, padded, Options.RaftIterations, null, ScalarType.Float32, cancellationToken, k => Report(UpscalePhase.OpticalFlow, k, 0));
        var images = new BidirectionalSampler(models, Options.NoiseLevel).Sample(padded, embeds, scheduler, noise ?? new SeededNoiseSource(Options.Seed), flows, Report, cancellationToken);
        var cropped = FramePadding.Crop(images, height * 4, width * 4).cpu();
        return cropped.MoveToOuterDisposeScope();
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

    private async Task<IReadOnlyList<VideoFrame>> ReadClipAsync(IAsyncEnumerable<VideoFrame> frames, IProgress<UpscaleProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        var input = new List<VideoFrame>();
        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            ArgumentNullException.ThrowIfNull(frame, nameof(frames));
            if (input.Count > 0 && (frame.Width != input[0].Width || frame.Height != input[0].Height))
            {
                throw new InvalidInputException(
                    $"Frames of a clip must all have the same size: frame {frame.Index}{Named(frame)} is {frame.Width}x{frame.Height}, " +
                    $"frame {input[0].Index}{Named(input[0])} is {input[0].Width}x{input[0].Height}. Resize them first or upscale them as separate clips.");
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

    private static string Named(VideoFrame frame) => frame.Name is null ? string.Empty : $" ('{frame.Name}')";

    [LoggerMessage(Level = LogLevel.Information, Message = "Upscaling {Frames} frame(s) of {Width}x{Height} with {Steps} steps on {Device}")]
    private static partial void LogStarting(ILogger logger, int frames, int width, int height, int steps, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upscaled {Frames} frame(s) in {Seconds:F1} s")]
    private static partial void LogFinished(ILogger logger, int frames, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upscaling cancelled after {Seconds:F1} s")]
    private static partial void LogCancelled(ILogger logger, double seconds);
}
