namespace StableVsr.Training.Data;

/// <summary>Where the data stream stands: the epoch and the index of the next batch in it (both from 0).</summary>
internal readonly record struct DataPosition(int Epoch, int Batch)
{
    /// <summary>The position after this one in an epoch of <paramref name="batchesPerEpoch"/> batches.</summary>
    public DataPosition Next(int batchesPerEpoch) => Batch + 1 >= batchesPerEpoch ? new DataPosition(Epoch + 1, 0) : this with { Batch = Batch + 1 };
}
