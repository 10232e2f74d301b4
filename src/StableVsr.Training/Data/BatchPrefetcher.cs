using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace StableVsr.Training.Data;

/// <summary>
/// Decodes batches ahead of the training step on background threads: a producer walks the data stream from a start
/// position (epoch after epoch), decodes the windows of each batch in parallel and puts finished batches in a bounded
/// queue, so at most <c>capacity</c> batches wait in memory and no image is decoded on the training thread. A decoding
/// error is handed to the consumer at the batch it belongs to. Never loads the whole dataset.
/// </summary>
internal sealed class BatchPrefetcher : IDisposable
{
    private readonly BlockingCollection<PrefetchedBatch> queue;
    private readonly CancellationTokenSource stop = new();
    private readonly Task producer;

    /// <summary>Starts decoding at <paramref name="start"/>.</summary>
    /// <param name="dataset">The windows.</param>
    /// <param name="start">The first batch to deliver.</param>
    /// <param name="batchSize">Windows per batch.</param>
    /// <param name="capacity">The most decoded batches waiting.</param>
    /// <param name="workers">Threads decoding one batch's windows.</param>
    public BatchPrefetcher(WindowDataset dataset, DataPosition start, int batchSize, int capacity, int workers)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        queue = new BlockingCollection<PrefetchedBatch>(capacity);
        var token = stop.Token;
        producer = Task.Factory.StartNew(
            () => Produce(dataset, start, batchSize, workers, token),
            token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Waits for the next batch.</summary>
    /// <exception cref="InvalidInputException">A frame of the batch could not be used (the message names it).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public TrainingBatch Next(CancellationToken cancellationToken)
    {
        var item = queue.Take(cancellationToken);
        if (item.Error is not null)
        {
            ExceptionDispatchInfo.Throw(item.Error);
        }

        return item.Batch!;
    }

    /// <summary>Stops the producer and waits for it.</summary>
    public void Dispose()
    {
        stop.Cancel();
        try
        {
            producer.Wait();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            // The producer stopped while waiting for queue space.
        }

        queue.Dispose();
        stop.Dispose();
    }

    private void Produce(WindowDataset dataset, DataPosition start, int batchSize, int workers, CancellationToken token)
    {
        var batchesPerEpoch = dataset.BatchesPerEpoch(batchSize);
        var position = start;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = token };
        while (!token.IsCancellationRequested)
        {
            PrefetchedBatch item;
            try
            {
                var indices = dataset.BatchIndices(position, batchSize);
                var keys = new string[indices.Count];
                var gtSize = dataset.GtSize;
                var gt = new float[indices.Count * WindowDataset.WindowFrames * 3 * gtSize * gtSize];
                var lq = new float[gt.Length / (WindowDataset.Scale * WindowDataset.Scale)];
                var at = position;
                Parallel.For(0, indices.Count, parallel, slot => keys[slot] = dataset.Fill(at, slot, indices[slot], batchSize, gt, lq));
                item = new PrefetchedBatch(new TrainingBatch(position, keys, gt, lq, gtSize), null);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                item = new PrefetchedBatch(null, e.InnerExceptions[0]);
            }
            catch (Exception e)
            {
                // Whatever stopped the producer is rethrown on the training thread, at the batch it belongs to.
                item = new PrefetchedBatch(null, e);
            }

            queue.Add(item, token);
            if (item.Error is not null)
            {
                return;
            }

            position = position.Next(batchesPerEpoch);
        }
    }
}
