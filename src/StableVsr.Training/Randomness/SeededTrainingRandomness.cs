namespace StableVsr.Training.Randomness;

/// <summary>
/// The training run's randomness: every draw comes from its own generator seeded by (seed, batch, draw kind), drawn on
/// the CPU in float32 and then converted and moved, so a batch's draws depend on nothing but the seed and the batch's
/// position. That makes the whole state of the randomness the seed plus the batch count, which checkpoints store.
/// </summary>
internal sealed class SeededTrainingRandomness : ITrainingRandomness
{
    private readonly long seed;

    public SeededTrainingRandomness(long seed) => this.seed = seed;

    /// <inheritdoc />
    public ITrainingDraws ForBatch(long batchesBefore)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchesBefore);
        return new SeededTrainingDraws(seed, batchesBefore);
    }
}
