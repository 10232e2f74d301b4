namespace StableVsr;

/// <summary>
/// How an upscaler runs. Every property has a documented default matching StableVSR's own test script where one
/// exists; records compose with <c>with</c> expressions (<c>UpscaleOptions.Default with { Steps = 20 }</c>).
/// </summary>
public sealed record UpscaleOptions
{
    /// <summary>The defaults: 50 DDPM steps, seed 42, the first CUDA device when present else the CPU, float32.</summary>
    public static UpscaleOptions Default { get; } = new();

    /// <summary>Number of denoising steps. Default 50 (StableVSR's setting); at least 1.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>
    /// Seed of the noise. Noise is derived from the seed, the step and the frame, so a result does not depend on
    /// processing order or batch composition. Default 42.
    /// </summary>
    public long Seed { get; init; } = 42;

    /// <summary>Scheduler. Default <see cref="SchedulerKind.Ddpm"/>.</summary>
    public SchedulerKind Scheduler { get; init; } = SchedulerKind.Ddpm;

    /// <summary>DDIM's eta (0 = deterministic). Used only with <see cref="SchedulerKind.Ddim"/>. Default 0.</summary>
    public double DdimEta { get; init; }

    /// <summary>
    /// Device: "auto" (first CUDA device if libtorch has CUDA, else CPU), "cpu", "cuda" or "cuda:N". Default "auto".
    /// </summary>
    public string Device { get; init; } = "auto";

    /// <summary>Precision of each model. Default float32 everywhere (parity with the reference).</summary>
    public PrecisionPolicy Precision { get; init; } = PrecisionPolicy.Float32;

    /// <summary>Text prompt for the UNet's cross-attention. Default "" (StableVSR uses an empty prompt, guidance 0).</summary>
    public string Prompt { get; init; } = string.Empty;

    /// <summary>RAFT refinement iterations for the optical flow. Default 12 (torchvision's and StableVSR's).</summary>
    public int RaftIterations { get; init; } = 12;

    /// <summary>
    /// Noise level given as class label to a UNet or ControlNet whose config has <c>num_class_embeds</c> (the x4
    /// upscaler's noise-level embedding). StableVSR's pipeline prepares 20, the x4 upscaler's default, but passes no
    /// label, which diffusers refuses for such checkpoints; StableVsr passes this value. Ignored for models without the
    /// embedding. Default 20.
    /// </summary>
    public int NoiseLevel { get; init; } = 20;

    /// <summary>CPU threads libtorch may use; null keeps libtorch's own choice. Default null.</summary>
    public int? CpuThreads { get; init; }

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

        if (DdimEta < 0 || double.IsNaN(DdimEta))
        {
            throw new InvalidInputException($"UpscaleOptions.DdimEta must be 0 or more, got {DdimEta}.");
        }

        if (NoiseLevel < 0)
        {
            throw new InvalidInputException($"UpscaleOptions.NoiseLevel must be 0 or more, got {NoiseLevel}.");
        }

        if (CpuThreads is < 1)
        {
            throw new InvalidInputException($"UpscaleOptions.CpuThreads must be at least 1 when set, got {CpuThreads}.");
        }

        ArgumentNullException.ThrowIfNull(Precision);
        ArgumentNullException.ThrowIfNull(Prompt);
        ComputeDevice.Parse(Device);
    }
}
