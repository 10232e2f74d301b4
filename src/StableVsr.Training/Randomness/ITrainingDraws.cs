using static TorchSharp.torch;

namespace StableVsr.Training.Randomness;

/// <summary>
/// Every random draw of one training step (one batch). train.py consumes them in this order: the neighbour choices,
/// <see cref="TrainingNoise.LatentSample"/>, <see cref="TrainingNoise.NeighbourLatentSample"/>,
/// <see cref="TrainingNoise.Diffusion"/>, the timesteps, <see cref="TrainingNoise.NeighbourDiffusion"/>; the step asks
/// in that order, so a source of recorded draws can check it.
/// </summary>
internal interface ITrainingDraws
{
    /// <summary>Python's <c>random.random()</c> once per sample: below or at 0.5 picks frame t−1, above picks t+1.</summary>
    IReadOnlyList<double> NeighbourChoices(int batch);

    /// <summary>Standard normal noise of <paramref name="shape"/> for <paramref name="kind"/>, in <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    Tensor Noise(TrainingNoise kind, long[] shape, ScalarType dtype, Device device);

    /// <summary>One timestep per sample, uniform in [0, <paramref name="trainTimesteps"/>), int64 on <paramref name="device"/>.</summary>
    Tensor Timesteps(int batch, int trainTimesteps, Device device);
}
