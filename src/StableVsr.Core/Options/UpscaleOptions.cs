namespace StableVsr;

/// <summary>
/// How an upscaler runs. Every property has a documented default matching StableVSR's own test script where one
/// exists; records compose with <c>with</c> expressions (<c>UpscaleOptions.Default with { Steps = 20 }</c>).
/// </summary>
public sealed record UpscaleOptions
{
    /// <summary>The defaults: 50 steps of the checkpoint's scheduler (DDPM), seed 42, the first CUDA device when present else the CPU, float32.</summary>
    public static UpscaleOptions Default { get; } = new();

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

    /// <summary>
    /// Device: <see cref="ComputeDevice.Auto"/> (the first CUDA device if libtorch has CUDA, else the CPU; the
    /// default), <see cref="ComputeDevice.Cpu"/> or <see cref="ComputeDevice.Cuda"/>; <see cref="ComputeDevice.Parse"/>
    /// reads "auto", "cpu", "cuda" and "cuda:N".
    /// </summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>Precision of each model. Default float32 everywhere (parity with the reference).</summary>
    public PrecisionPolicy Precision { get; init; } = PrecisionPolicy.Float32;

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

    /// <summary>CPU threads libtorch may use; null keeps libtorch's own choice. Default null.</summary>
    public int? CpuThreads { get; init; }

    /// <summary>
    /// Where per-frame state lives between uses: LR frames, latents, optical flows and finished frames. null keeps it on
    /// the compute device (the default, fastest); <see cref="ComputeDevice.Cpu"/> keeps it in host memory and moves
    /// only the frames being processed to the device, so device memory stays flat in sequence length (at the cost of
    /// small copies per frame and step). Not <see cref="ComputeDevice.Auto"/>. Results are identical either way.
    /// </summary>
    public ComputeDevice? StateDevice { get; init; }

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
    /// exactly (StableVSR's own behaviour). Default 16 (see the README for how it was chosen); at least 1.
    /// </summary>
    public int WindowSize { get; init; } = 16;

    /// <summary>
    /// Whether each window's first frame is guided, in forward passes, by the previous window's last frame at the same
    /// step (decoded and warped across the boundary), as if the sequence went on. Default true; false samples windows
    /// independently (a visible seam at each boundary is more likely).
    /// </summary>
    public bool GuideAcrossWindows { get; init; } = true;

    /// <summary>
    /// When several sequences are upscaled together (<see cref="IVideoUpscaler.UpscaleSequencesAsync"/>), at most this
    /// many sequences of the same frame size share each network call; their per-frame memory adds up. Default 4; 1
    /// processes the sequences one by one.
    /// </summary>
    public int SequenceBatchSize { get; init; } = 4;

    /// <summary>Checks every value and throws <see cref="InvalidInputException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (Steps < 1)
        {
            throw new InvalidInputException($"UpscaleOptions.Steps must be at least 1, got {Steps}.");
        }

        if (RaftIterations < 1)
        {
            throw new InvalidInputException($"UpscaleOptions.RaftIterations must be at least 1, got {RaftIterations}.");
        }

        if (RaftNormalization is not (RaftNormStatistics.PerSample or RaftNormStatistics.Running))
        {
            throw new InvalidInputException(
                $"UpscaleOptions.RaftNormalization must be PerSample (StableVSR's test.py) or Running (torchvision's eval mode), got {RaftNormalization}; " +
                "Batch is train.py's mode and has no meaning for flows computed one frame pair at a time.");
        }

        if (Scheduler is DdimSchedulerOptions { Eta: var eta } && (eta < 0 || double.IsNaN(eta)))
        {
            throw new InvalidInputException($"DdimSchedulerOptions.Eta must be 0 or more, got {eta}.");
        }

        if (NoiseLevel < 0)
        {
            throw new InvalidInputException($"UpscaleOptions.NoiseLevel must be 0 or more, got {NoiseLevel}.");
        }

        if (CpuThreads is < 1)
        {
            throw new InvalidInputException($"UpscaleOptions.CpuThreads must be at least 1 when set, got {CpuThreads}.");
        }

        if (VaeTileSize is { } tile && (tile < 8 || tile % 4 != 0))
        {
            throw new InvalidInputException($"UpscaleOptions.VaeTileSize must be a multiple of 4 and at least 8 latent pixels when set, got {tile}.");
        }

        if (WindowSize < 1)
        {
            throw new InvalidInputException($"UpscaleOptions.WindowSize must be at least 1 frame, got {WindowSize}.");
        }

        if (SequenceBatchSize < 1)
        {
            throw new InvalidInputException($"UpscaleOptions.SequenceBatchSize must be at least 1, got {SequenceBatchSize}.");
        }

        if (StateDevice is { Kind: ComputeDeviceKind.Auto })
        {
            throw new InvalidInputException("UpscaleOptions.StateDevice cannot be Auto: use null for the compute device, ComputeDevice.Cpu for host memory, or a CUDA device.");
        }

        ArgumentNullException.ThrowIfNull(Precision);
        ArgumentNullException.ThrowIfNull(Prompt);
    }
}
