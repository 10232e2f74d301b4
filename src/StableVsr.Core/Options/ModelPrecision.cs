namespace StableVsr;

/// <summary>Floating-point type a model's weights and activations use.</summary>
public enum ModelPrecision
{
    /// <summary>32-bit floats: exact parity with the reference, works on every device.</summary>
    Float32,

    /// <summary>16-bit floats: about half the memory and much faster on GPUs with tensor cores; CUDA only.</summary>
    Float16,

    /// <summary>bfloat16: float32's range with 16-bit storage; safer than float16 for decoders.</summary>
    BFloat16,
}
