using System.Globalization;

namespace StableVsr;

/// <summary>
/// What decides an upscaled sequence's pixels, apart from the model (its files and precision) and the kind of device:
/// steps, seed, scheduler, prompt, optical-flow and windowing settings. Two runs with equal sampling options, the same
/// model and the same kind of device give the same bytes, which is what a resumed run and the segments of a cluster job
/// rely on; where and how fast the work runs (device number, threads, state device, batching) is
/// <see cref="UpscaleOptions"/>'s. Defaults match StableVSR's test script; records compose with <c>with</c>
/// (<c>SamplingOptions.Default with { Steps = 20 }</c>).
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>The defaults: 50 steps of the checkpoint's scheduler (DDPM), seed 42, windows of 16 frames. A new instance on each call.</summary>
    public static SamplingOptions Default => new();

    /// <summary>Number of denoising steps. Default 50 (StableVSR's setting); at least 1.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>
    /// Seed of the noise. Noise is derived from the seed, the step and the frame, so a result does not depend on
    /// processing order or batch composition. Default 42.
    /// </summary>
    public long Seed { get; init; } = 42;

    /// <summary>
    /// The noise scheduler and its settings (<see cref="DdpmSchedulerOptions"/>, <see cref="DdimSchedulerOptions"/>).
    /// Default null: the checkpoint's own scheduler, named by its <c>scheduler_config.json</c> (DDPM for StableVSR).
    /// </summary>
    public SchedulerOptions? Scheduler { get; init; }

    /// <summary>Text prompt for the UNet's cross-attention. Default "" (StableVSR uses an empty prompt, guidance 0).</summary>
    public string Prompt { get; init; } = string.Empty;

    /// <summary>RAFT refinement iterations for the optical flow. Default 12 (torchvision's and StableVSR's).</summary>
    public int RaftIterations { get; init; } = 12;

    /// <summary>
    /// Which statistics RAFT's context-encoder BatchNorm layers normalise with when the flows are computed. Default
    /// <see cref="RaftNormStatistics.PerSample"/>: StableVSR's test.py never puts RAFT in eval mode and calls it one
    /// frame pair at a time, so each frame is normalised with its own statistics; this reproduces its published
    /// results. <see cref="RaftNormStatistics.Running"/> gives torchvision's eval-mode flows instead;
    /// <see cref="RaftNormStatistics.Batch"/> (train.py's mode) is refused.
    /// </summary>
    public RaftNormStatistics RaftNormalization { get; init; } = RaftNormStatistics.PerSample;

    /// <summary>
    /// Noise level given as class label to a UNet or ControlNet whose config has <c>num_class_embeds</c> (the x4
    /// upscaler's noise-level embedding). It matters only for such a config: the released StableVSR UNet has no class
    /// embedding (its pipeline and train.py never pass class labels, which diffusers 0.21.1 refuses for a UNet that has
    /// one), so with the real checkpoint this option has no effect. For checkpoints derived from the x4 upscaler with
    /// the embedding, StableVsr passes this value (20, the x4 upscaler's default). Default 20.
    /// </summary>
    public int NoiseLevel { get; init; } = 20;

    /// <summary>
    /// Stores optical flows in float16 instead of float32, halving their memory (two flows of 4h x 4w x 2 values per
    /// frame, the largest per-frame state). Flows are converted back to float32 before warping; the rounding (about
    /// 1/2048 of a flow's magnitude) changes the result slightly. Default false.
    /// </summary>
    public bool HalfPrecisionFlows { get; init; }

    /// <summary>
    /// Decodes latents with the VAE in overlapping tiles of this many latent pixels (4x as many output pixels), so
    /// frames too large to decode whole fit in memory; null (the default) decodes whole frames. A multiple of 4, at
    /// least 8. Approximate: tiles are blended over a quarter of a tile as diffusers' tiled decode does, but the
    /// decoder's normalisation sees one tile at a time, so results differ slightly from a whole decode.
    /// </summary>
    public int? VaeTileSize { get; init; }

    /// <summary>
    /// Frames sampled together as one window. StableVSR's bidirectional sampling needs every frame of a window before
    /// any is final, so a long sequence is upscaled window by window: memory stays flat in sequence length and each
    /// window's frames come out as soon as it is done. With <see cref="GuideAcrossWindows"/>, a window continues the
    /// previous one's temporal guidance. A window at least as long as the sequence reproduces whole-sequence sampling
    /// exactly (StableVSR's own behaviour). Default 16 (docs/long-videos.md says how it was chosen); at least 1.
    /// </summary>
    public int WindowSize { get; init; } = 16;

    /// <summary>
    /// Whether each window's first frame is guided, in forward passes, by the previous window's last frame at the same
    /// step (decoded and warped across the boundary), as if the sequence went on. Default true; false samples windows
    /// independently (a visible seam at each boundary is more likely).
    /// </summary>
    public bool GuideAcrossWindows { get; init; } = true;

    /// <summary>Checks every value and throws <see cref="InvalidInputException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (Steps < 1)
        {
            throw new InvalidInputException($"SamplingOptions.Steps must be at least 1, got {Steps}.");
        }

        if (RaftIterations < 1)
        {
            throw new InvalidInputException($"SamplingOptions.RaftIterations must be at least 1, got {RaftIterations}.");
        }

        if (RaftNormalization is not (RaftNormStatistics.PerSample or RaftNormStatistics.Running))
        {
            throw new InvalidInputException(
                $"SamplingOptions.RaftNormalization must be PerSample (StableVSR's test.py) or Running (torchvision's eval mode), got {RaftNormalization}; " +
                "Batch is train.py's mode and has no meaning for flows computed one frame pair at a time.");
        }

        if (Scheduler is DdimSchedulerOptions { Eta: var eta } && (eta < 0 || double.IsNaN(eta)))
        {
            throw new InvalidInputException($"DdimSchedulerOptions.Eta must be 0 or more, got {eta}.");
        }

        if (NoiseLevel < 0)
        {
            throw new InvalidInputException($"SamplingOptions.NoiseLevel must be 0 or more, got {NoiseLevel}.");
        }

        if (VaeTileSize is { } tile && (tile < 8 || tile % 4 != 0))
        {
            throw new InvalidInputException($"SamplingOptions.VaeTileSize must be a multiple of 4 and at least 8 latent pixels when set, got {tile}.");
        }

        if (WindowSize < 1)
        {
            throw new InvalidInputException($"SamplingOptions.WindowSize must be at least 1 frame, got {WindowSize}.");
        }

        if (Prompt is null)
        {
            throw new InvalidInputException("SamplingOptions.Prompt must not be null: use \"\" for StableVSR's empty prompt.");
        }
    }

    /// <summary>
    /// Every option by name, as text: the one list of what changes the output. A resumable run's journal records it and
    /// refuses to continue under another; the names and spellings are stable (journals of earlier runs compare equal).
    /// </summary>
    internal IReadOnlyDictionary<string, string> Describe() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(Steps)] = Text(Steps),
        [nameof(Seed)] = Text(Seed),
        [nameof(Scheduler)] = Scheduler switch
        {
            null => "checkpoint",
            DdimSchedulerOptions ddim => $"{ddim.ClassName} eta={Text(ddim.Eta)}",
            var other => other.ClassName,
        },
        [nameof(Prompt)] = Prompt,
        [nameof(RaftIterations)] = Text(RaftIterations),
        [nameof(RaftNormalization)] = RaftNormalization.ToString(),
        [nameof(NoiseLevel)] = Text(NoiseLevel),
        [nameof(HalfPrecisionFlows)] = Text(HalfPrecisionFlows),
        [nameof(VaeTileSize)] = VaeTileSize is { } tile ? Text(tile) : "none",
        [nameof(WindowSize)] = Text(WindowSize),
        [nameof(GuideAcrossWindows)] = Text(GuideAcrossWindows),
    };

    private static string Text(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Text(bool value) => value ? "true" : "false";
}
