namespace StableVsr.Training.Randomness;

/// <summary>
/// Where training takes its randomness from, keyed by the batch it is for (the count of batches trained on before it),
/// so that a run resumed from a checkpoint draws exactly what the uninterrupted run would have drawn.
/// </summary>
internal interface ITrainingRandomness
{
    /// <summary>The draws for the batch that follows <paramref name="batchesBefore"/> batches.</summary>
    ITrainingDraws ForBatch(long batchesBefore);
}
