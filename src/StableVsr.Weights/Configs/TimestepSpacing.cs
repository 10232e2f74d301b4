namespace StableVsr.Weights.Configs;

/// <summary>How inference timesteps are spread over the training timesteps (Table 2 of arXiv 2305.08891; diffusers' <c>timestep_spacing</c>).</summary>
internal enum TimestepSpacing
{
    /// <summary><c>leading</c>: multiples of num_train_timesteps / steps, counted from 0, plus <c>steps_offset</c>.</summary>
    Leading,

    /// <summary><c>trailing</c>: counted down from num_train_timesteps − 1.</summary>
    Trailing,

    /// <summary><c>linspace</c>: evenly spaced from 0 to num_train_timesteps − 1, rounded.</summary>
    Linspace,
}
