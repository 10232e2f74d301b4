namespace StableVsr.Weights.Configs;

/// <summary>How a scheduler derives its betas from <c>beta_start</c> and <c>beta_end</c> (diffusers' <c>beta_schedule</c>).</summary>
internal enum BetaSchedule
{
    /// <summary><c>linear</c>: betas spaced evenly from start to end.</summary>
    Linear,

    /// <summary><c>scaled_linear</c>: square roots spaced evenly, then squared (latent diffusion, the x4 upscaler).</summary>
    ScaledLinear,

    /// <summary><c>squaredcos_cap_v2</c>: the Glide cosine schedule, each beta capped at 0.999.</summary>
    SquaredCosCapV2,

    /// <summary><c>sigmoid</c>: the GeoDiff sigmoid schedule (DDPM only in diffusers 0.21.1).</summary>
    Sigmoid,
}
