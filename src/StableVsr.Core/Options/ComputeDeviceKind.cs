namespace StableVsr;

/// <summary>Kind of compute device.</summary>
public enum ComputeDeviceKind
{
    /// <summary>The first CUDA device when libtorch has CUDA, else the CPU.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through CUDA.</summary>
    Cuda,
}
