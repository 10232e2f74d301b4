namespace StableVsr.Weights;

/// <summary>What <see cref="StateDictLoader.Load"/> did: the keys loaded, renamed and ignored, and the cost.</summary>
/// <param name="LoadedKeys">Module keys that received values, in the module's order.</param>
/// <param name="UnexpectedKeys">Checkpoint keys the module has no place for (ignored, logged as warnings).</param>
/// <param name="SkippedKeys">Checkpoint keys the key map dropped on purpose (returned null).</param>
/// <param name="RenamedKeys">Checkpoint key to module key, for every key loaded under another name (key map or legacy VAE names).</param>
/// <param name="BytesRead">Bytes of tensor data read from the checkpoint.</param>
/// <param name="Elapsed">Wall time of the load.</param>
internal sealed record LoadReport(
    IReadOnlyList<string> LoadedKeys,
    IReadOnlyList<string> UnexpectedKeys,
    IReadOnlyList<string> SkippedKeys,
    IReadOnlyDictionary<string, string> RenamedKeys,
    long BytesRead,
    TimeSpan Elapsed);
