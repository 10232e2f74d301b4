namespace StableVsr.Orleans.Workers;

/// <summary>Upscales segments on one device, one at a time (a worker's loop owns one runner per device).</summary>
internal interface ISegmentRunner : IAsyncDisposable
{
    /// <summary>The device, for the job's records.</summary>
    string Device { get; }

    /// <summary>The fingerprint of the model (files and precision): segments of one job run on one model.</summary>
    string ModelFingerprint { get; }

    /// <summary>Upscales <paramref name="work"/> into its staging output, continuing from its journal when there is one.</summary>
    /// <returns>The frames the staging output holds.</returns>
    Task<int> RunAsync(SegmentWork work, CancellationToken cancellationToken);
}
