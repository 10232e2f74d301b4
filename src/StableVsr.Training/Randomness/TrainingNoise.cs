namespace StableVsr.Training.Randomness;

/// <summary>The Gaussian draws of one training step, in the order train.py makes them.</summary>
internal enum TrainingNoise
{
    /// <summary>The noise of the centre frame's <c>latent_dist.sample()</c> (train.py line 934).</summary>
    LatentSample,

    /// <summary>The noise of the neighbour frame's <c>latent_dist.sample()</c> (line 936).</summary>
    NeighbourLatentSample,

    /// <summary>The forward-diffusion noise of the centre latents (<c>randn_like(latents)</c>, line 940).</summary>
    Diffusion,

    /// <summary>The forward-diffusion noise of the neighbour latents (line 957), drawn after the timesteps.</summary>
    NeighbourDiffusion,
}
