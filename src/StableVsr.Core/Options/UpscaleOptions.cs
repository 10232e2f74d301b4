namespace StableVsr;

/// <summary>
/// How an upscaler runs: <see cref="Sampling"/> (what decides the output's pixels) and where and how the work runs
/// (device, precision, threads, state device, batching). Every property has a documented default; records compose with
/// <c>with</c> expressions (<c>UpscaleOptions.Default with { Device = ComputeDevice.Cuda() }</c>). Binds from
/// configuration (<c>"Device": "cuda:1"</c>, <c>"Sampling": { "Steps": 20 }</c>).
/// </summary>
public sealed record UpscaleOptions
{
    /// <summary>
    /// The defaults: <see cref="SamplingOptions.Default"/>, the first CUDA device when present else the CPU, float32. A
    /// new instance on each call, so that configuration binding into one never changes another.
    /// </summary>
    public static UpscaleOptions Default => new();

    /// <summary>What decides the output: steps, seed, scheduler, prompt, flow and window settings. Default <see cref="SamplingOptions.Default"/>.</summary>
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Default;

    /// <summary>
    /// Device: <see cref="ComputeDevice.Auto"/> (the first CUDA device if libtorch has CUDA, else the CPU; the
    /// default), <see cref="ComputeDevice.Cpu"/> or <see cref="ComputeDevice.Cuda"/>; <see cref="ComputeDevice.Parse(string)"/>
    /// reads "auto", "cpu", "cuda" and "cuda:N".
    /// </summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>Precision of each model. Default float32 everywhere (parity with the reference).</summary>
    public PrecisionPolicy Precision { get; init; } = PrecisionPolicy.Float32;

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
    /// When several sequences are upscaled together (<see cref="IVideoUpscaler.UpscaleSequencesAsync"/>), at most this
    /// many sequences of the same frame size share each network call; their per-frame memory adds up. Default 4; 1
    /// processes the sequences one by one.
    /// </summary>
    public int SequenceBatchSize { get; init; } = 4;

    /// <summary>Checks every value and throws <see cref="InvalidInputException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (Sampling is null)
        {
            throw new InvalidInputException("UpscaleOptions.Sampling must not be null: use SamplingOptions.Default.");
        }

        Sampling.Validate();
        if (CpuThreads is < 1)
        {
            throw new InvalidInputException($"UpscaleOptions.CpuThreads must be at least 1 when set, got {CpuThreads}.");
        }

        if (SequenceBatchSize < 1)
        {
            throw new InvalidInputException($"UpscaleOptions.SequenceBatchSize must be at least 1, got {SequenceBatchSize}.");
        }

        if (StateDevice is { Kind: ComputeDeviceKind.Auto })
        {
            throw new InvalidInputException("UpscaleOptions.StateDevice cannot be Auto: use null for the compute device, ComputeDevice.Cpu for host memory, or a CUDA device.");
        }

        if (Precision is null)
        {
            throw new InvalidInputException("UpscaleOptions.Precision must not be null: use PrecisionPolicy.Float32.");
        }
    }
}
