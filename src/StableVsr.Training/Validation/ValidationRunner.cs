using System.Globalization;
using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Models.Raft;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Pipeline;
using static TorchSharp.torch;

namespace StableVsr.Training.Validation;

/// <summary>
/// train.py's <c>log_validation</c>: upscales a short sequence of LR frames (each centre-cropped, 128x128 by default) with
/// the ControlNet as trained so far, through the same pipeline <c>stablevsr upscale</c> uses, and writes the frames to
/// <c>validation/step-N/</c>. The frames are read and checked once, when the run starts.
/// </summary>
internal sealed class ValidationRunner : IDisposable
{
    /// <summary>The folder under the output folder.</summary>
    public const string FolderName = "validation";

    private readonly StableVsrPipeline pipeline;
    private readonly Raft raft;
    private readonly Tensor frames;
    private readonly IReadOnlyList<string> names;
    private readonly Tensor promptEmbeds;
    private readonly string output;
    private readonly ILogger logger;

    /// <summary>Prepares validation over <paramref name="models"/>, which stay owned by the caller.</summary>
    /// <exception cref="InvalidInputException">The frames folder is missing, empty, or holds frames of mixed sizes.</exception>
    public ValidationRunner(StableVsrModels models, TrainingOptions options, Tensor promptEmbeds, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(options);
        var files = ImageFolderSource.ListFrameFiles(options.ValidationFrames!);
        var read = files.Select((f, i) => Crop(ImageFolderSource.ReadFrame(f, i), options.ValidationCrop)).ToList();
        frames = FrameTensors.ToTensor(read).DetachFromDisposeScope();
        names = read.Select(f => f.Name ?? string.Empty).ToList();
        raft = models.Raft;
        this.promptEmbeds = promptEmbeds.detach().clone().DetachFromDisposeScope();
        this.logger = logger;
        output = Path.Combine(Path.GetFullPath(options.Output), FolderName);

        // The pipeline is never disposed: disposing it would dispose the models, which the training run owns.
        pipeline = new StableVsrPipeline(
            models,
            UpscaleOptions.Default with { Steps = options.ValidationInferenceSteps, Seed = options.Seed, RaftIterations = options.RaftIterations, Precision = models.Precision });
    }

    /// <summary>Upscales the validation frames and writes them to <c>validation/step-{step}/</c>; returns that folder.</summary>
    public string Run(long step, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(output, "step-" + step.ToString(CultureInfo.InvariantCulture));
        var statistics = raft.NormStatistics;
        try
        {
            using var scope = NewDisposeScope();
            var upscaled = pipeline.Upscale(frames, promptEmbeds: promptEmbeds, cancellationToken: cancellationToken);
            var sink = new ImageFolderSink(folder);
            foreach (var frame in FrameTensors.ToFrames(upscaled, PixelRange.ZeroToOne).Select((f, i) => f.WithIndex(i, names[i])))
            {
                sink.WriteAsync(frame, cancellationToken).AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            // The pipeline computes flows per frame pair; training shares the statistics over its batch.
            raft.NormStatistics = statistics;
        }

        logger.LogInformation("Validation at step {Step}: {Count} frame(s) written to {Folder}", step, names.Count, folder);
        return folder;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        frames.Dispose();
        promptEmbeds.Dispose();
    }

    // log_validation centre-crops each LR frame to 128x128 before upscaling it.
    private static VideoFrame Crop(VideoFrame frame, int? side)
    {
        if (side is not int crop || frame.Width < crop || frame.Height < crop)
        {
            return frame;
        }

        var (left, top) = ((frame.Width - crop) / 2, (frame.Height - crop) / 2);
        var source = frame.Rgb.Span;
        var rgb = new byte[crop * crop * 3];
        for (var y = 0; y < crop; y++)
        {
            source.Slice((((top + y) * frame.Width) + left) * 3, crop * 3).CopyTo(rgb.AsSpan(y * crop * 3));
        }

        return new VideoFrame(crop, crop, rgb, frame.Index, frame.Name);
    }
}
