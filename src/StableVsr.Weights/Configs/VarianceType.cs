namespace StableVsr.Weights.Configs;

/// <summary>The variance of the noise a DDPM step adds (diffusers' <c>variance_type</c>).</summary>
internal enum VarianceType
{
    /// <summary><c>fixed_small</c>: the posterior variance beta_tilde_t.</summary>
    FixedSmall,

    /// <summary><c>fixed_small_log</c>: the posterior variance computed through its logarithm; the noise is scaled by it, not by its root.</summary>
    FixedSmallLog,

    /// <summary><c>fixed_large</c>: beta_t of the current step.</summary>
    FixedLarge,

    /// <summary><c>fixed_large_log</c>: beta_t in log space (Glide's "max_log").</summary>
    FixedLargeLog,

    /// <summary><c>learned</c>: the model's second half of channels is the variance itself.</summary>
    Learned,

    /// <summary><c>learned_range</c>: the model's second half of channels interpolates between the small and large log variance.</summary>
    LearnedRange,
}
