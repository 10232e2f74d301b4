using Microsoft.Extensions.Logging;
using StableVsr.Models.Loading;
using StableVsr.Models.Runtime;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Schedulers;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// The batched tensor path: several whole sequences of LR frames upscaled window by window, the windows of sequences
/// whose padded frame size is the same sampled together (up to <see cref="UpscaleOptions.SequenceBatchSize"/>), each
/// with its own noise, so each result equals upscaling the sequence alone up to floating-point rounding. Runs on the
/// calling thread (the pipeline's sampling thread); the results exist once, preallocated per sequence.
/// </summary>
internal sealed partial class SequenceBatchSampler(StableVsrModels models, UpscaleOptions options, WindowSampler windowSampler, PromptCache prompts, ILogger logger)
{
    /// <summary>Upscales LR frames [N, 3, h, w] in [-1, 1] per sequence to [N, 3, 4h, 4w] in [0, 1] on the CPU.</summary>
    /// <param name="sequences">The sequences (any device; float); they may differ in size and length.</param>
    /// <param name="noises">One noise source per sequence; null derives every sequence's noise from the seed.</param>
    /// <param name="promptEmbeds">Text embeddings [1, tokens, hidden]; null encodes the options' prompt.</param>
    /// <param name="report">Called after each unit of work with the sequence, phase, frame, step and fraction of the whole run done.</param>
    /// <param name="cancellationToken">Checked between frames and steps.</param>
    /// <exception cref="InvalidInputException">No sequences, a tensor that is not [N, 3, h, w] with N at least 1, or a noise list of another length.</exception>
    public IReadOnlyList<Tensor> Upscale(
        IReadOnlyList<Tensor> sequences,
        IReadOnlyList<INoiseSource>? noises,
        Tensor? promptEmbeds,
        Action<int, UpscalePhase, int, int, double>? report,
        CancellationToken cancellationToken)
    {
        PipelineChecks.CheckSequenceTensors(sequences, noises);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var sampling = options.Sampling;
        var embeds = promptEmbeds?.to(ScalarType.Float32, models.Device) ?? prompts.Get(sampling.Prompt);
        var scheduler = StableVsrPipeline.CreateScheduler(models, sampling);
        var total = sequences.Sum(c => c.shape[0] * WindowSampler.UnitsPerFrame(scheduler.Timesteps.Count));
        var done = 0;
        var results = new Tensor[sequences.Count];
        var batches = Enumerable.Range(0, sequences.Count)
            .GroupBy(c => (FramePadding.PaddedSide((int)sequences[c].shape[2]), FramePadding.PaddedSide((int)sequences[c].shape[3])))
            .SelectMany(group => group.Chunk(options.SequenceBatchSize));
        foreach (var batch in batches)
        {
            using var batchScope = NewDisposeScope();
            var (height, width) = ((int)sequences[batch[0]].shape[2], (int)sequences[batch[0]].shape[3]);
            LogStarting(logger, batch.Sum(c => (int)sequences[c].shape[0]), batch.Length, width, height, scheduler.Timesteps.Count, models.Device.ToString());
            var states = batch.Select(c => new SequenceState(noises?[c] ?? new SeededNoiseSource(sampling.Seed))).ToArray();
            try
            {
                // Each window's images go straight into the sequence's preallocated output, so nothing accumulates per
                // window and the finished sequence exists once.
                foreach (var c in batch)
                {
                    results[c] = empty([sequences[c].shape[0], 3, sequences[c].shape[2] * 4, sequences[c].shape[3] * 4], ScalarType.Float32, CPU).MoveToOuterDisposeScope();
                }

                for (var start = 0; ; start += sampling.WindowSize)
                {
                    var members = Enumerable.Range(0, batch.Length).Where(b => sequences[batch[b]].shape[0] > start).ToArray();
                    if (members.Length == 0)
                    {
                        break;
                    }

                    using var windowScope = NewDisposeScope();
                    var end = start + sampling.WindowSize;
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

    /// <summary>Upscales in-memory sequences of 8-bit frames; each output frame keeps its input frame's index and name.</summary>
    public IReadOnlyList<IReadOnlyList<VideoFrame>> Upscale(IReadOnlyList<IReadOnlyList<VideoFrame>> sequences, Action<int, UpscalePhase, int, int, double>? report, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var lowResolution = sequences.Select(c => FrameTensors.ToTensor(c, PixelRange.MinusOneToOne)).ToArray();
        var output = Upscale(lowResolution, null, null, report, cancellationToken);
        var upscaled = new IReadOnlyList<VideoFrame>[sequences.Count];
        for (var c = 0; c < sequences.Count; c++)
        {
            var input = sequences[c];
            upscaled[c] = FrameTensors.ToFrames(output[c], PixelRange.ZeroToOne).Select((f, i) => f.WithIndex(input[i].Index, input[i].Name)).ToArray();
        }

        return upscaled;
    }

    [LoggerMessage(EventId = LoggerEventIds.SamplingStarted, Level = LogLevel.Information, Message = "Upscaling {Frames} frame(s) of {Sequences} sequence(s) of {Width}x{Height} with {Steps} steps on {Device}")]
    private static partial void LogStarting(ILogger logger, int frames, int sequences, int width, int height, int steps, string device);
}
