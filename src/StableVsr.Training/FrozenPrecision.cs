namespace StableVsr.Training;

/// <summary>
/// The precision of the frozen networks during training (train.py's <c>--mixed_precision</c>). The ControlNet being
/// trained, its gradients and the optimizer state always stay float32, as train.py requires.
/// </summary>
public enum FrozenPrecision
{
    /// <summary><c>no</c>: every network in float32 (train.py's default, and the only mode the parity fixture covers).</summary>
    Float32,

    /// <summary>
    /// <c>bf16</c>: the UNet and VAE in bfloat16 on CUDA; RAFT stays float32 so the flows keep their precision. On the CPU
    /// only the VAE runs in bfloat16: the UNet carries the ControlNet's gradient, and its bfloat16 backward pass has given
    /// NaN gradients on CPUs with native bfloat16 (AVX512_BF16), so it stays float32 there.
    /// </summary>
    BFloat16,

    /// <summary>
    /// <c>fp16</c>: the UNet in float16 (CUDA only); the VAE stays float32 because its decoder overflows in float16, and
    /// RAFT stays float32.
    /// </summary>
    Float16,
}
