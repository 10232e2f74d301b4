using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Evaluation.Metrics;
using StableVsr.Evaluation.Metrics.ClipIqa;
using StableVsr.Evaluation.Metrics.Musiq;
using StableVsr.Evaluation.Metrics.Niqe;
using StableVsr.Evaluation.Running;
using StableVsr.Evaluation.Weights;
using StableVsr.IO;
using StableVsr.Models.Raft;
using StableVsr.Models.Runtime;
using StableVsr.Weights.Hub;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Evaluation;

/// <summary>
/// StableVSR's eval.py: loads the metric networks once, then evaluates folders of sequences (or frames in memory)
/// against their ground truth, frame by frame, streaming: only the frames of one batch and the last frame of each
/// sequence (for the temporal metrics) are in memory. Runs are serialised; dispose to free the networks.
/// </summary>
public sealed partial class VideoEvaluator : IDisposable
{
    private readonly MetricEngine engine;
    private readonly ILogger logger;
    private readonly SemaphoreSlim gate = new(1, 1);

    private VideoEvaluator(MetricEngine engine, EvaluationOptions options, IReadOnlyList<Metric> metrics, IReadOnlyList<string> loadNotes, ILogger logger)
    {
        this.engine = engine;
        Options = options;
        Metrics = metrics;
        LoadNotes = loadNotes;
        this.logger = logger;
    }

    /// <summary>The options the evaluator was loaded with.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>
    /// The metrics this evaluator computes, in eval.py's order: those of <see cref="EvaluationOptions.Metrics"/> less
    /// any no-reference metric whose weights could not be had (see <see cref="LoadNotes"/>).
    /// </summary>
    public IReadOnlyList<Metric> Metrics { get; }

    /// <summary>What loading had to tell: each metric left out and why (one line each); also in every result's notes.</summary>
    public IReadOnlyList<string> LoadNotes { get; }

    /// <summary>
    /// Loads the networks the chosen metrics need (AlexNet for LPIPS and tLPIPS, VGG16 for DISTS, RAFT-large for tOF,
    /// MUSIQ, CLIP RN50, NIQE's model), from the files in <paramref name="weights"/> or through the caches the
    /// reference uses (see <see cref="EvaluationWeights"/>). MUSIQ or CLIP-IQA whose weights are neither given, cached
    /// nor downloadable are left out with a note (<see cref="LoadNotes"/>) instead of failing the run.
    /// </summary>
    /// <exception cref="InvalidInputException">The options are invalid.</exception>
    /// <exception cref="ModelLoadException">Weights are missing (offline), fail their hash check, or cannot be read.</exception>
    /// <exception cref="NativeBackendException">The device cannot be used.</exception>
    public static Task<VideoEvaluator> LoadAsync(
        EvaluationWeights? weights = null,
        EvaluationOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        HubOptions? hubOptions = null,
        IProgress<DownloadProgress>? downloadProgress = null,
        CancellationToken cancellationToken = default)
    {
        hubOptions ??= HubOptions.FromEnvironment();
        return LoadAsync(weights, options, loggerFactory, hubOptions, NoReferenceCaches.For(hubOptions.TorchHome, hubOptions.Offline), null, downloadProgress, cancellationToken);
    }

    /// <summary>As the public overload, with the no-reference caches and the HTTP handler given (tests).</summary>
    internal static async Task<VideoEvaluator> LoadAsync(
        EvaluationWeights? weights,
        EvaluationOptions? options,
        ILoggerFactory? loggerFactory,
        HubOptions hubOptions,
        NoReferenceCaches caches,
        HttpMessageHandler? handler,
        IProgress<DownloadProgress>? downloadProgress,
        CancellationToken cancellationToken)
    {
        options ??= EvaluationOptions.Default;
        options.Validate();
        weights ??= new EvaluationWeights();
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<VideoEvaluator>();
        var device = TorchBackend.ResolveDevice(options.Device);
        if (options.CpuThreads is { } threads)
        {
            set_num_threads(threads);
        }

        var requested = options.Metrics;
        var alexNet = requested.Any(m => m is Metric.Lpips or Metric.TLpips)
            ? await ResolveAsync(weights.AlexNet, PretrainedWeights.AlexNet, "AlexNet", hubOptions, loggerFactory, downloadProgress, cancellationToken).ConfigureAwait(false)
            : null;
        var vgg16 = requested.Contains(Metric.Dists)
            ? await ResolveAsync(weights.Vgg16, PretrainedWeights.Vgg16, "VGG16", hubOptions, loggerFactory, downloadProgress, cancellationToken).ConfigureAwait(false)
            : null;
        var raftFile = requested.Contains(Metric.Tof)
            ? await ResolveAsync(weights.Raft, PretrainedWeights.RaftLarge, "RAFT-large", hubOptions, loggerFactory, downloadProgress, cancellationToken).ConfigureAwait(false)
            : null;
        var notes = new List<string>();
        string? musiqFile = null;
        string? clipFile = null;
        using (var files = new NoReferenceWeightFiles(caches, hubOptions, logger, handler))
        {
            if (requested.Contains(Metric.Musiq))
            {
                musiqFile = weights.Musiq is { } givenMusiq
                    ? Given(givenMusiq, "MUSIQ", "pyiqa's musiq_koniq_ckpt-e95806b9.pth", "--musiq")
                    : await files.MusiqAsync(notes, downloadProgress, cancellationToken).ConfigureAwait(false);
            }

            if (requested.Contains(Metric.ClipIqa))
            {
                clipFile = weights.Clip is { } givenClip
                    ? Given(givenClip, "CLIP", "OpenAI's RN50.pt", "--clip")
                    : await files.ClipAsync(notes, downloadProgress, cancellationToken).ConfigureAwait(false);
            }
        }

        var niqeModel = requested.Contains(Metric.Niqe)
            ? weights.Niqe is { } givenNiqe ? NiqeModel.FromFile(Given(givenNiqe, "NIQE", "the NIQE release's modelparameters.mat", "--niqe")) : NiqeModel.Embedded()
            : null;
        var metrics = requested
            .Where(m => (m != Metric.Musiq || musiqFile is not null) && (m != Metric.ClipIqa || clipFile is not null))
            .OrderBy(m => MetricInfo.All.Select(i => i.Metric).ToList().IndexOf(m))
            .ToArray();
        foreach (var note in notes)
        {
            LogMetricLeftOut(logger, note);
        }

        if (metrics.Length == 0)
        {
            throw new ModelLoadException($"No metric is left to compute: {string.Join(" ", notes)}");
        }

        var engine = await Task.Run(
            () =>
            {
                Lpips? lpips = null;
                Dists? dists = null;
                Raft? raft = null;
                MusiqModel? musiq = null;
                ClipIqaModel? clip = null;
                try
                {
                    lpips = alexNet is null ? null : Lpips.Load(alexNet, device, logger);
                    dists = vgg16 is null ? null : Dists.Load(vgg16, device, logger);
                    raft = raftFile is null ? null : Raft.FromFile(raftFile, device, ScalarType.Float32, logger);
                    if (raft is not null)
                    {
                        // eval.py never puts RAFT in eval mode and calls it one pair at a time: per-sample statistics.
                        raft.NormStatistics = RaftNormStatistics.PerSample;
                    }

                    musiq = musiqFile is null ? null : MusiqModel.Load(musiqFile, device, logger);
                    clip = clipFile is null ? null : ClipIqaModel.Load(clipFile, device, logger);
                    var noReference = new NoReferenceMetrics(musiq, clip, niqeModel is null ? null : new NiqeScore(niqeModel));
                    return new MetricEngine(metrics, device, lpips, dists, raft, options.PadFramesForFlow, noReference);
                }
                catch
                {
                    lpips?.Dispose();
                    dists?.Dispose();
                    raft?.Dispose();
                    musiq?.Dispose();
                    clip?.Dispose();
                    throw;
                }
            },
            cancellationToken).ConfigureAwait(false);
        LogLoaded(logger, string.Join(", ", metrics.Select(m => MetricInfo.Of(m).Name)), device.ToString());
        return new VideoEvaluator(engine, options, metrics, notes, logger);
    }

    /// <summary>
    /// Evaluates eval.py's layout: <paramref name="outputRoot"/>/sequence/frames against
    /// <paramref name="groundTruthRoot"/>/sequence/frames (or two folders of frames), after checking that every
    /// sequence, frame count and size pairs up (see <see cref="EvaluationOptions"/> for the exceptions). Without
    /// ground truth (null), only the no-reference metrics (MUSIQ, CLIP-IQA, NIQE) can be computed.
    /// </summary>
    /// <exception cref="InvalidInputException">The folders do not pair up, a frame cannot be read, or a metric needs the missing ground truth.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is returned.</exception>
    public async Task<EvaluationResult> EvaluateFoldersAsync(string outputRoot, string? groundTruthRoot, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var (sequences, notes) = await Task.Run(() => FolderPlan.Build(outputRoot, groundTruthRoot, Options, Metrics), cancellationToken).ConfigureAwait(false);
        var total = sequences.Sum(s => s.OutputFiles.Count);
        var frames = new List<FrameMetrics>(total);
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < sequences.Count; s++)
        {
            var sequence = sequences[s];
            var index = s;
            var done = frames.Count;
            await foreach (var frame in EvaluatePairsAsync(sequence.Name, ReadPairsAsync(sequence, cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                frames.Add(frame);
                progress?.Report(new EvaluationProgress(sequence.Name, index, sequences.Count, frames.Count, total, clock.Elapsed));
            }

            if (frames.Count == done)
            {
                progress?.Report(new EvaluationProgress(sequence.Name, index, sequences.Count, frames.Count, total, clock.Elapsed));
            }
        }

        var allNotes = LoadNotes.Concat(notes).Concat(UndefinedNotes(sequences.Select(q => (q.Name, q.OutputFiles.Count)))).ToArray();
        foreach (var note in allNotes)
        {
            LogNote(logger, note);
        }

        return EvaluationResult.Create(Metrics, frames, allNotes);
    }

    /// <summary>
    /// Evaluates one sequence of frames in memory, pairing the two streams in order; yields each frame's values as soon
    /// as its batch is done. Temporal metrics are absent for the first frame.
    /// </summary>
    /// <exception cref="InvalidInputException">The streams differ in length (unless <see cref="EvaluationOptions.Truncate"/>) or a pair differs in size.</exception>
    public async IAsyncEnumerable<FrameMetrics> EvaluateSequenceAsync(
        string sequence,
        IAsyncEnumerable<VideoFrame> groundTruth,
        IAsyncEnumerable<VideoFrame> output,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(output);
        await foreach (var frame in EvaluatePairsAsync(sequence, Zip(sequence, groundTruth, output, cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            yield return frame;
        }
    }

    /// <summary>Frees the networks.</summary>
    public void Dispose()
    {
        engine.Dispose();
        gate.Dispose();
    }

    private IEnumerable<string> UndefinedNotes(IEnumerable<(string Name, int Frames)> sequences) =>
        sequences.Where(s => s.Frames == 1 && Metrics.Any(m => MetricInfo.Of(m).IsTemporal)).Select(s =>
            $"Sequence '{s.Name}' has one frame: tLPIPS and tOF are undefined for it (as in eval.py, their mean over sequences is then nan).");

    private async IAsyncEnumerable<FrameMetrics> EvaluatePairsAsync(string sequence, IAsyncEnumerable<FramePair> pairs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var state = new SequenceState();
            var batch = new List<FramePair>(Options.BatchSize);
            await foreach (var pair in pairs.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                batch.Add(pair);
                if (batch.Count == Options.BatchSize)
                {
                    foreach (var frame in await StepAsync(sequence, state, batch, cancellationToken).ConfigureAwait(false))
                    {
                        yield return frame;
                    }

                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                foreach (var frame in await StepAsync(sequence, state, batch, cancellationToken).ConfigureAwait(false))
                {
                    yield return frame;
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private Task<FrameMetrics[]> StepAsync(string sequence, SequenceState state, List<FramePair> batch, CancellationToken cancellationToken)
    {
        var pairs = batch.ToArray();
        var start = state.FramesSeen;
        return Task.Run(
            () =>
            {
                using var scope = NewDisposeScope();
                var groundTruth = pairs[0].GroundTruth is null ? null : FrameTensors.ToTensor(pairs.Select(p => p.GroundTruth!).ToArray(), PixelRange.ZeroToOne, engine.Device);
                var output = FrameTensors.ToTensor(pairs.Select(p => p.Output).ToArray(), PixelRange.ZeroToOne, engine.Device);
                var values = engine.Step(state, groundTruth, output);
                return pairs.Select((p, i) => new FrameMetrics(sequence, start + i, p.GroundTruth?.Name, p.Output.Name, values[i])
                {
                    GroundTruthPath = p.GroundTruthPath,
                    OutputPath = p.OutputPath,
                }).ToArray();
            },
            cancellationToken);
    }

    private static async IAsyncEnumerable<FramePair> ReadPairsAsync(SequenceInput sequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FramePair Read(int k) => new(
            sequence.GroundTruthFiles is { } truth ? ImageFolderSource.ReadFrame(truth[k], k) : null,
            ImageFolderSource.ReadFrame(sequence.OutputFiles[k], k),
            sequence.GroundTruthFiles?[k],
            sequence.OutputFiles[k]);

        // Decode the next pair while the current batch is evaluated.
        var next = Task.Run(() => Read(0), cancellationToken);
        for (var k = 0; k < sequence.OutputFiles.Count; k++)
        {
            var current = await next.ConfigureAwait(false);
            if (k + 1 < sequence.OutputFiles.Count)
            {
                var following = k + 1;
                next = Task.Run(() => Read(following), cancellationToken);
            }

            yield return current;
        }
    }

    private async IAsyncEnumerable<FramePair> Zip(string sequence, IAsyncEnumerable<VideoFrame> groundTruth, IAsyncEnumerable<VideoFrame> output, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var gt = groundTruth.GetAsyncEnumerator(cancellationToken);
        var rec = output.GetAsyncEnumerator(cancellationToken);
        await using (gt.ConfigureAwait(false))
        await using (rec.ConfigureAwait(false))
        {
            for (var k = 0; ; k++)
            {
                var hasGt = await gt.MoveNextAsync().ConfigureAwait(false);
                var hasRec = await rec.MoveNextAsync().ConfigureAwait(false);
                if (hasGt != hasRec && !Options.Truncate)
                {
                    throw new InvalidInputException(
                        $"Sequence '{sequence}': the {(hasGt ? "output" : "ground truth")} ends after {k} frame(s) while the {(hasGt ? "ground truth" : "output")} goes on. " +
                        "Give both the same frames, or set EvaluationOptions.Truncate to stop at the shorter one, as eval.py silently does.");
                }

                if (!hasGt || !hasRec)
                {
                    yield break;
                }

                if (gt.Current.Width != rec.Current.Width || gt.Current.Height != rec.Current.Height)
                {
                    throw new InvalidInputException(
                        $"Sequence '{sequence}', frame {k}: the output is {rec.Current.Width}x{rec.Current.Height} but the ground truth is {gt.Current.Width}x{gt.Current.Height}.");
                }

                yield return new FramePair(gt.Current, rec.Current, null, null);
            }
        }
    }

    private static async Task<string> ResolveAsync(string? file, PretrainedWeights released, string network, HubOptions hub, ILoggerFactory loggerFactory, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (file is not null)
        {
            // An explicit file is the user's choice: used as it is, without the hub's hash check.
            return File.Exists(file)
                ? Path.GetFullPath(file)
                : throw new ModelLoadException($"{network} weights '{Path.GetFullPath(file)}' do not exist. Give a torch.save or safetensors file, or leave the option out to use torchvision's weights through the torch hub cache.", Path.GetFullPath(file));
        }

        using var downloader = new TorchHubDownloader(hub, loggerFactory.CreateLogger<TorchHubDownloader>());
        return await downloader.DownloadAsync(released, progress, cancellationToken).ConfigureAwait(false);
    }

    private static string Given(string file, string network, string expected, string option)
    {
        // An explicit file is the user's choice: used as it is, without the caches' hash checks.
        var full = Path.GetFullPath(file);
        return File.Exists(full)
            ? full
            : throw new ModelLoadException($"{network} weights '{full}' do not exist. Give {expected}, or leave {option} out to use the cache.", full);
    }

    [LoggerMessage(EventId = EvaluationEventIds.Loaded, Level = LogLevel.Debug, Message = "Loaded the networks for {Metrics} on {Device}.")]
    private static partial void LogLoaded(ILogger logger, string metrics, string device);

    [LoggerMessage(EventId = EvaluationEventIds.Note, Level = LogLevel.Warning, Message = "{Note}")]
    private static partial void LogNote(ILogger logger, string note);

    [LoggerMessage(EventId = EvaluationEventIds.MetricLeftOut, Level = LogLevel.Warning, Message = "{Note}")]
    private static partial void LogMetricLeftOut(ILogger logger, string note);

    private sealed record FramePair(VideoFrame? GroundTruth, VideoFrame Output, string? GroundTruthPath, string? OutputPath);
}
