using StableVsr.Models.Loading;
using StableVsr.Sampling.Schedulers;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// Samples the next window of one or more sequences: pads the LR frames to a size the models take, computes the
/// window's optical flows (with the flow across the boundary when the previous window's carry is used), runs the
/// bidirectional sampler, crops the images back to exactly 4x and moves each sequence's state past the window.
/// </summary>
internal sealed class WindowSampler
{
    private readonly StableVsrModels models;
    private readonly SamplingOptions options;
    private readonly Device? stateDevice;
    private readonly BidirectionalSampler sampler;

    /// <summary>Creates the sampler for a pipeline's models and options.</summary>
    public WindowSampler(StableVsrModels models, SamplingOptions options, Device? stateDevice)
    {
        this.models = models;
        this.options = options;
        this.stateDevice = stateDevice;
        sampler = new BidirectionalSampler(models, options.NoiseLevel, stateDevice, options.VaeTileSize);
    }

    /// <summary>Work units per frame, for progress: its flow pair, every denoising step, its decode.</summary>
    public static double UnitsPerFrame(int steps) => steps + 2;

    /// <summary>
    /// Samples one window of each sequence together (their padded frame sizes must agree) and returns each window's
    /// images [n, 3, 4h, 4w] in [0, 1] on the CPU, in batch order.
    /// </summary>
    /// <param name="batch">Each sequence's state and its window's LR frames [n, 3, h, w] in [-1, 1] (any device, float).</param>
    /// <param name="moreFollow">Per batch member, whether the sequence has frames after this window (then its carry is kept).</param>
    /// <param name="promptEmbeds">Text embeddings on the models' device.</param>
    /// <param name="scheduler">The scheduler, with its timesteps set.</param>
    /// <param name="report">Called after each unit of work with (batch member, phase, frame in the sequence, step).</param>
    /// <param name="cancellationToken">Checked between frames and steps.</param>
    public IReadOnlyList<Tensor> SampleNext(
        IReadOnlyList<(SequenceState State, Tensor Frames)> batch,
        IReadOnlyList<bool> moreFollow,
        Tensor promptEmbeds,
        NoiseScheduler scheduler,
        Action<int, UpscalePhase, int, int>? report,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var windows = new List<SamplingSequence>(batch.Count);
        try
        {
            for (var b = 0; b < batch.Count; b++)
            {
                var (state, frames) = batch[b];
                var first = state.NextFrame;
                var carry = options.GuideAcrossWindows ? state.Carry : null;
                var padded = FramePadding.Pad(frames.to(ScalarType.Float32, stateDevice ?? models.Device));
                var member = b;
                var flows = SequenceFlows.Compute(
                    models.Raft,
                    padded,
                    carry?.LastLowResolution,
                    options.RaftIterations,
                    options.RaftNormalization,
                    stateDevice,
                    options.HalfPrecisionFlows ? ScalarType.Float16 : ScalarType.Float32,
                    cancellationToken,
                    k => report?.Invoke(member, UpscalePhase.OpticalFlow, first + k, 0));
                windows.Add(new SamplingSequence(padded, state.Noise, flows, first, carry, KeepCarry: options.GuideAcrossWindows && moreFollow[b]));

                // The boundary flow takes the place of the first frame's own pair in the per-frame work units.
                report?.Invoke(member, UpscalePhase.OpticalFlow, first, 0);
            }

            var sampled = sampler.Sample(windows, promptEmbeds, scheduler, (b, phase, frame, step) => report?.Invoke(b, phase, windows[b].FirstFrame + frame, step), cancellationToken);
            var images = new Tensor[batch.Count];
            for (var b = 0; b < batch.Count; b++)
            {
                var frames = batch[b].Frames;
                images[b] = FramePadding.Crop(sampled[b].Images, (int)frames.shape[2] * 4, (int)frames.shape[3] * 4).cpu().MoveToOuterDisposeScope();
                batch[b].State.Advance((int)frames.shape[0], sampled[b].Carry);
            }

            return images;
        }
        finally
        {
            foreach (var window in windows)
            {
                window.Flows.Dispose();
            }
        }
    }
}
