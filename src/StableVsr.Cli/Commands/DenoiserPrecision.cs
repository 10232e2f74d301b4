namespace StableVsr.Cli.Commands;

/// <summary>The <c>--precision</c> choices: the precision of the UNet and ControlNet.</summary>
internal enum DenoiserPrecision
{
    /// <summary>float32: parity with the reference.</summary>
    Float32,

    /// <summary>float16 (CUDA only): <see cref="PrecisionPolicy.HalfOnGpu"/>.</summary>
    Float16,

    /// <summary>bfloat16: <see cref="PrecisionPolicy.BFloat16Denoiser"/>.</summary>
    BFloat16,
}
