using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using StableVsr.Evaluation.Metrics;
using StableVsr.IO;
using StableVsr.Models.Loading;
using StableVsr.Models.Raft;
using StableVsr.Models.Runtime;
using StableVsr.Sampling.Pipeline;
using StableVsr.Training.Checkpoints;
using static TorchSharp.torch;

namespace StableVsr.Training.Validation;

/// <summary>
/// train.py's <c>log_validation</c>: upscales a short sequence of LR frames (each centre-cropped, 128x128 by default) with
/// the ControlNet as trained so far, through the facade <c>stablevsr upscale</c> uses (an <see cref="IVideoUpscaler"/>
/// over the training's own networks, the prompt encoded by their text encoder), and writes the frames to
/// <c>validation/step-N/</c>. With ground-truth frames it also scores them (eval.py's PSNR and SSIM) into
/// <c>validation/metrics.csv</c>. The frames are read and checked once, when the run starts.
/// </summary>
internal sealed partial class ValidationRunner : IDisposable
{
    /// <summary>The folder under the output folder.</summary>
    public const string FolderName = "validation";

    /// <summary>The metrics file in <see cref="FolderName"/>.</summary>
    public const string MetricsFileName = "metrics.csv";

    /// <summary>The header of <see cref="MetricsFileName"/>.</summary>
    public const string MetricsHeader = "step,psnr,ssim";

    private const int Scale = 4;

    private readonly IVideoUpscaler upscaler;
    private readonly Raft raft;
    private readonly IReadOnlyList<VideoFrame> frames;
    private readonly Tensor? groundTruth;
    private readonly string output;
    private readonly ILogger logger;

    /// <summary>Prepares validation over <paramref name="models"/>, which stay owned by the caller.</summary>
    /// <exception cref="InvalidInputException">
    /// A frames folder is missing or empty, the frames differ in size, or the ground truth does not match the LR frames
    /// in count or size (4x).
    /// </exception>
    public ValidationRunner(StableVsrModels models, TrainingOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(options);
        var files = ImageFolderSource.ListFrameFiles(options.ValidationFrames!);
        var lowResolution = files.Select((f, i) => ImageFolderSource.ReadFrame(f, i)).ToList();
        frames = lowResolution.Select(f => Crop(f, options.ValidationCrop, 1)).ToList();
        if (options.ValidationGroundTruth is { } truthFolder)
        {
            var truth = ReadGroundTruth(truthFolder, files, lowResolution, options.ValidationCrop);
            groundTruth = FrameTensors.ToTensor(truth, PixelRange.ZeroToOne).DetachFromDisposeScope();
        }

        raft = models.Raft;
        this.logger = logger;
        output = Path.Combine(Path.GetFullPath(options.Output), FolderName);

        // The models stay the training run's: the upscaler is made over them without owning them.
        upscaler = new StableVsrPipeline(
            models,
            UpscaleOptions.Default with
            {
                Sampling = SamplingOptions.Default with { Steps = options.ValidationInferenceSteps, Seed = options.Seed, RaftIterations = options.RaftIterations, Prompt = options.Prompt },
                Precision = models.Precision,
            },
            logger: null,
            ownsModels: false);
    }

    /// <summary>
    /// Upscales the validation frames and writes them to <c>validation/step-{step}/</c>; with ground truth, scores them and
    /// rewrites <c>validation/metrics.csv</c> (rows of later steps, left by an interrupted run, are dropped). Returns the frames' folder.
    /// </summary>
    public string Run(long step, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(output, "step-" + step.ToString(CultureInfo.InvariantCulture));
        var statistics = raft.NormStatistics;
        try
        {
            using var scope = NewDisposeScope();
            var written = upscaler.UpscaleAsync(frames, cancellationToken: cancellationToken).GetAwaiter().GetResult();
            var sink = new ImageFolderSink(folder);
            foreach (var frame in written)
            {
                sink.WriteAsync(frame, cancellationToken).AsTask().GetAwaiter().GetResult();
            }

            sink.CompleteAsync(cancellationToken).AsTask().GetAwaiter().GetResult();

            if (groundTruth is not null)
            {
                // Scored as eval.py would score the saved PNGs: from the 8-bit frames, not the float output.
                var saved = FrameTensors.ToTensor(written, PixelRange.ZeroToOne);
                var psnr = Psnr.Compute(groundTruth, saved).mean().item<float>();
                var ssim = Ssim.Compute(groundTruth, saved).mean().item<float>();
                WriteMetrics(step, psnr, ssim);
                LogScored(logger, step, psnr, ssim, frames.Count);
            }
        }
        finally
        {
            // The pipeline computes flows per frame pair; training shares the statistics over its batch.
            raft.NormStatistics = statistics;
        }

        LogWritten(logger, step, frames.Count, folder);
        return folder;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        upscaler.Dispose();
        groundTruth?.Dispose();
    }

    private static List<VideoFrame> ReadGroundTruth(string folder, IReadOnlyList<string> lowResolutionFiles, IReadOnlyList<VideoFrame> lowResolution, int? crop)
    {
        var files = ImageFolderSource.ListFrameFiles(folder);
        if (files.Count != lowResolutionFiles.Count)
        {
            throw new InvalidInputException(
                $"Validation ground truth '{folder}' holds {files.Count} frame(s), the validation frames {lowResolutionFiles.Count}: give one ground-truth frame per LR frame, in the same order.");
        }

        var truth = new List<VideoFrame>(files.Count);
        for (var i = 0; i < files.Count; i++)
        {
            var frame = ImageFolderSource.ReadFrame(files[i], i);
            var lr = lowResolution[i];
            if (frame.Width != lr.Width * Scale || frame.Height != lr.Height * Scale)
            {
                throw new InvalidInputException(
                    $"Validation ground-truth frame '{files[i]}' is {frame.Width}x{frame.Height}; its LR frame '{lowResolutionFiles[i]}' is {lr.Width}x{lr.Height}, " +
                    $"so it must be {lr.Width * Scale}x{lr.Height * Scale} (4x).");
            }

            // Cropped where the LR frame is cropped, at 4x: the same picture area as the upscaled frame.
            truth.Add(lr.Width >= crop && lr.Height >= crop ? Crop(frame, crop * Scale, Scale) : frame);
        }

        return truth;
    }

    // log_validation centre-crops each LR frame to 128x128 before upscaling it; the ground truth is cropped at 4x with
    // its corner at 4x the LR corner (alignment), so step is the scale of the frame against the LR frame.
    private static VideoFrame Crop(VideoFrame frame, int? side, int step)
    {
        if (side is not int crop || frame.Width < crop || frame.Height < crop)
        {
            return frame;
        }

        var (left, top) = ((frame.Width / step - crop / step) / 2 * step, (frame.Height / step - crop / step) / 2 * step);
        var source = frame.Rgb.Span;
        var rgb = new byte[crop * crop * 3];
        for (var y = 0; y < crop; y++)
        {
            source.Slice((((top + y) * frame.Width) + left) * 3, crop * 3).CopyTo(rgb.AsSpan(y * crop * 3));
        }

        return new VideoFrame(crop, crop, rgb, frame.Index, frame.Name);
    }

    private void WriteMetrics(long step, float psnr, float ssim)
    {
        var path = Path.Combine(output, MetricsFileName);
        var text = new StringBuilder(MetricsHeader).Append('\n');
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path).Skip(1))
            {
                var comma = line.IndexOf(',', StringComparison.Ordinal);
                if (comma > 0 && long.TryParse(line.AsSpan(0, comma), NumberStyles.None, CultureInfo.InvariantCulture, out var earlier) && earlier < step)
                {
                    text.Append(line).Append('\n');
                }
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"{step},{psnr:R},{ssim:R}\n");
        CheckpointStore.WriteText(path, text.ToString());
    }

    [LoggerMessage(EventId = LoggerEventIds.ValidationScored, Level = LogLevel.Information, Message = "Validation at step {Step}: PSNR {Psnr:F3} dB, SSIM {Ssim:F4} over {Count} frame(s)")]
    private static partial void LogScored(ILogger logger, long step, float psnr, float ssim, int count);

    [LoggerMessage(EventId = LoggerEventIds.ValidationWritten, Level = LogLevel.Information, Message = "Validation at step {Step}: {Count} frame(s) written to {Folder}")]
    private static partial void LogWritten(ILogger logger, long step, int count, string folder);
}
