namespace StableVsr.Training.Data;

/// <summary>What the prefetch queue holds: a decoded batch, or the error that stopped decoding at that batch.</summary>
/// <param name="Batch">The batch, when decoding succeeded.</param>
/// <param name="Error">The error, rethrown on the training thread when it reaches this batch.</param>
internal sealed record PrefetchedBatch(TrainingBatch? Batch, Exception? Error);
