namespace StableVsr.Evaluation;

/// <summary>What to compute and how. Every property has a documented default; <see cref="Default"/> is eval.py's run.</summary>
public sealed record EvaluationOptions
{
    /// <summary>All nine metrics, batch size 1, automatic device: eval.py's evaluation.</summary>
    public static EvaluationOptions Default { get; } = new();

    /// <summary>
    /// The metrics to compute; default all nine. MUSIQ, CLIP-IQA and NIQE judge the output alone; the others need the
    /// ground truth. MUSIQ or CLIP-IQA whose weights are neither given, cached nor downloadable are left out with a note.
    /// </summary>
    public IReadOnlyList<Metric> Metrics { get; init; } = MetricInfo.All.Select(m => m.Metric).ToArray();

    /// <summary>Where the metrics run: <see cref="ComputeDevice.Auto"/> (CUDA when available, else the CPU; the default), the CPU or a CUDA device.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>
    /// Frame pairs per network call; default 1 (as eval.py). Larger batches help GPUs; the values stay the same to
    /// float32 rounding (RAFT normalises each image with its own statistics whatever the batch).
    /// </summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>
    /// Evaluate only as many frames as the shorter of output and ground truth holds, as eval.py's <c>zip</c> does
    /// silently; default false: different frame counts are an error.
    /// </summary>
    public bool Truncate { get; init; }

    /// <summary>
    /// For tOF on frames RAFT cannot take as they are (sides not multiples of 8, or under 128 px), pad them by repeating
    /// the last row and column and crop the flows back; default false: such frames are an error when tOF is asked for
    /// (eval.py fails on them). Padded results have no eval.py reference.
    /// </summary>
    public bool PadFramesForFlow { get; init; }

    /// <summary>Evaluate only these sequences (folder names); default null: every sequence of the output folder.</summary>
    public IReadOnlyList<string>? Sequences { get; init; }

    /// <summary>CPU threads for libtorch; default null: libtorch's choice.</summary>
    public int? CpuThreads { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="InvalidInputException">An option is out of range.</exception>
    public void Validate()
    {
        if (Metrics is null || Metrics.Count == 0)
        {
            throw new InvalidInputException($"Choose at least one metric: {string.Join(", ", MetricInfo.All.Select(m => m.Name.ToLowerInvariant()))}.");
        }

        if (Metrics.Any(m => !Enum.IsDefined(m)))
        {
            throw new InvalidInputException($"Unknown metric in [{string.Join(", ", Metrics)}].");
        }

        if (BatchSize < 1)
        {
            throw new InvalidInputException($"The batch size must be at least 1, got {BatchSize}.");
        }

        if (CpuThreads is < 1)
        {
            throw new InvalidInputException($"The CPU thread count must be at least 1, got {CpuThreads}.");
        }
    }
}
