using static TorchSharp.torch;

namespace StableVsr.Training.Randomness;

/// <summary>
/// The draws of one batch of <see cref="SeededTrainingRandomness"/>: each kind from its own generator seeded by (seed,
/// batch, kind), on the CPU in float32, then converted and moved.
/// </summary>
internal sealed class SeededTrainingDraws : ITrainingDraws
{
    private const long NeighbourKey = 100;
    private const long TimestepKey = 101;

    private readonly long seed;
    private readonly long batch;

    public SeededTrainingDraws(long seed, long batch)
    {
        this.seed = seed;
        this.batch = batch;
    }

    public IReadOnlyList<double> NeighbourChoices(int batchSize)
    {
        var random = new KeyedRandom(KeyedSeed.Derive(seed, batch, NeighbourKey));
        return Enumerable.Range(0, batchSize).Select(_ => random.NextDouble()).ToArray();
    }

    public Tensor Noise(TrainingNoise kind, long[] shape, ScalarType dtype, Device device)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)KeyedSeed.Derive(seed, batch, (long)kind), CPU);
        using var cpu = randn(shape, ScalarType.Float32, CPU, generator: generator);
        return cpu.to(dtype, device);
    }

    public Tensor Timesteps(int batchSize, int trainTimesteps, Device device)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)KeyedSeed.Derive(seed, batch, TimestepKey), CPU);
        using var cpu = randint(0, trainTimesteps, [batchSize], ScalarType.Int64, CPU, generator: generator);
        return cpu.to(device);
    }
}
