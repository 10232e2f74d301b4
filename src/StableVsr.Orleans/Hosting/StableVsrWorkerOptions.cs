using StableVsr.Models.Loading;

namespace StableVsr.Orleans;

/// <summary>What a silo's StableVsr worker runs: the model, its devices and where the shared storage is.</summary>
public sealed record StableVsrWorkerOptions
{
    /// <summary>The model and RAFT weights. Default: <see cref="ModelSource"/>'s defaults (the released StableVSR, torchvision's RAFT-large).</summary>
    public ModelSource Model { get; init; } = new();

    /// <summary>
    /// The devices to run segments on, one segment per device at a time. Default empty: every CUDA GPU, or the CPU when
    /// there is none.
    /// </summary>
    public IReadOnlyList<ComputeDevice> Devices { get; init; } = [];

    /// <summary>Precision of the UNet and ControlNet. Default float32. Part of the model fingerprint every worker must share.</summary>
    public PrecisionPolicy Precision { get; init; } = PrecisionPolicy.Float32;

    /// <summary>CPU threads for libtorch (process-wide). Default null: libtorch's choice.</summary>
    public int? CpuThreads { get; init; }

    /// <summary>
    /// A folder on the shared storage that the worker must be able to write; checked when the silo starts, so a worker
    /// on a read-only or missing mount is refused before it takes work. Default null: not checked.
    /// </summary>
    public string? SharedStorage { get; init; }

    /// <summary>How long an idle device waits before asking for work again. Default 1 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
