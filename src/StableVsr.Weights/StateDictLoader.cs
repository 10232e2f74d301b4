using System.Collections.ObjectModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace StableVsr.Weights;

/// <summary>
/// Copies a checkpoint into a TorchSharp module by key, the way diffusers' <c>from_pretrained</c> does:
/// every parameter and persistent buffer must be found with its exact shape (otherwise nothing is copied and a
/// <see cref="StateDictMismatchException"/> lists every problem), checkpoint keys the module lacks are logged as
/// warnings and reported. Values are converted to each parameter's dtype and device; a parameter of the stored
/// dtype on the CPU is filled straight from the file, so loading holds one copy of the weights.
/// </summary>
internal partial class StateDictLoader
{
    /// <summary>
    /// Loads <paramref name="source"/> into <paramref name="module"/>.
    /// </summary>
    /// <param name="module">The module whose parameters and buffers receive the values.</param>
    /// <param name="source">The checkpoint.</param>
    /// <param name="logger">Receives a warning per unexpected key and a summary; none by default.</param>
    /// <param name="keyMap">
    /// Maps a checkpoint key to the module key (return it unchanged to keep it, null to drop the tensor on purpose).
    /// Applied before the automatic legacy rename: a checkpoint key the module lacks is tried again through
    /// <see cref="LegacyVaeAttentionKeys.Map"/>.
    /// </param>
    /// <returns>What was loaded, renamed, skipped and ignored.</returns>
    /// <exception cref="StateDictMismatchException">Keys are missing, have another shape, or collide.</exception>
    /// <exception cref="ModelLoadException">Tensor data cannot be read.</exception>
    public static LoadReport Load(torch.nn.Module module, ITensorSource source, ILogger? logger = null, Func<string, string?>? keyMap = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(source);
        logger ??= NullLogger.Instance;
        var watch = Stopwatch.StartNew();

        var targets = module.state_dict();
        var plan = new Dictionary<string, string>(StringComparer.Ordinal);
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var skipped = new List<string>();
        var mismatches = new List<ShapeMismatch>();
        var conflicts = new List<string>();

        foreach (var sourceKey in source.Keys)
        {
            var key = keyMap is null ? sourceKey : keyMap(sourceKey);
            if (key is null)
            {
                skipped.Add(sourceKey);
                continue;
            }

            if (!targets.ContainsKey(key) && LegacyVaeAttentionKeys.TryMap(key, out var current) && targets.ContainsKey(current))
            {
                key = current;
            }

            if (!targets.TryGetValue(key, out var target))
            {
                unexpected.Add(sourceKey);
                continue;
            }

            if (plan.TryGetValue(key, out var earlier))
            {
                conflicts.Add($"{key}: claimed by checkpoint keys {earlier} and {sourceKey}");
                continue;
            }

            var found = source.GetInfo(sourceKey).Shape;
            if (!found.SequenceEqual(target.shape))
            {
                mismatches.Add(new ShapeMismatch(key, sourceKey, target.shape, found));
            }

            plan[key] = sourceKey;
            if (key != sourceKey)
            {
                renamed[sourceKey] = key;
            }
        }

        var missing = targets.Keys.Where(k => !plan.ContainsKey(k)).ToArray();
        if (missing.Length > 0 || mismatches.Count > 0 || conflicts.Count > 0)
        {
            throw new StateDictMismatchException(source.Location, missing, mismatches, conflicts);
        }

        foreach (var key in unexpected)
        {
            LogUnexpectedKey(logger, key, source.Location ?? "checkpoint");
        }

        var loaded = new List<string>(targets.Count);
        long bytes = 0;
        using (torch.no_grad())
        {
            foreach (var (key, target) in targets)
            {
                var sourceKey = plan[key];
                source.ReadInto(sourceKey, target);
                bytes += source.GetInfo(sourceKey).ByteLength;
                loaded.Add(key);
            }
        }

        watch.Stop();
        LogLoaded(logger, loaded.Count, bytes, source.Location ?? "checkpoint", watch.Elapsed.TotalMilliseconds);
        return new LoadReport(loaded, unexpected, skipped, new ReadOnlyDictionary<string, string>(renamed), bytes, watch.Elapsed);
    }

    [LoggerMessage(EventId = LoggerEventIds.UnexpectedKey, Level = LogLevel.Warning, Message = "Checkpoint key {Key} of {Location} matches no parameter or buffer of the model and was ignored.")]
    private static partial void LogUnexpectedKey(ILogger logger, string key, string location);

    [LoggerMessage(EventId = LoggerEventIds.StateDictLoaded, Level = LogLevel.Debug, Message = "Loaded {Count} tensors ({Bytes} bytes) from {Location} in {Milliseconds:F0} ms.")]
    private static partial void LogLoaded(ILogger logger, int count, long bytes, string location, double milliseconds);
}
