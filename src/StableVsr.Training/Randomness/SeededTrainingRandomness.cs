using static TorchSharp.torch;

namespace StableVsr.Training.Randomness;

/// <summary>
/// The training run's randomness: every draw comes from its own generator seeded by (seed, batch, draw kind), drawn on
/// the CPU in float32 and then converted and moved, so a batch's draws depend on nothing but the seed and the batch's
/// position. That makes the whole state of the randomness the seed plus the batch count, which checkpoints store.
/// </summary>
internal sealed class SeededTrainingRandomness : ITrainingRandomness
{
    private const long NeighbourKey = 100;
    private const long TimestepKey = 101;

    private readonly long seed;

    public SeededTrainingRandomness(long seed) => this.seed = seed;

    /// <inheritdoc />
    public ITrainingDraws ForBatch(long batchesBefore)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchesBefore);
        return new Draws(seed, batchesBefore);
    }

    private sealed class Draws : ITrainingDraws
    {
        private readonly long seed;
        private readonly long batch;

        public Draws(long seed, long batch)
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
}
