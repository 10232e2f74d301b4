using System.Collections.ObjectModel;
using System.Text.Json;
using StableVsr.Weights.Pickle;
using TorchSharp;

namespace StableVsr.Weights.Safetensors;

/// <summary>
/// A checkpoint split into shards by an index file (<c>diffusion_pytorch_model.safetensors.index.json</c>,
/// <c>model.safetensors.index.json</c>, or <c>pytorch_model.bin.index.json</c> for PyTorch shards):
/// <c>{"metadata": {...}, "weight_map": {"key": "shard-00001-of-00002.safetensors", ...}}</c>.
/// Every shard named by the index is opened (lazily mapped) and every key checked against its shard up front.
/// </summary>
internal sealed class ShardedTensorSource : ITensorSource
{
    private const long MaxIndexBytes = 64L * 1024 * 1024;

    private readonly Dictionary<string, ITensorSource> owners;
    private readonly List<ITensorSource> shards;

    private ShardedTensorSource(string indexPath, Dictionary<string, ITensorSource> owners, List<ITensorSource> shards, IReadOnlyList<string> keys, IReadOnlyDictionary<string, string> metadata)
    {
        IndexPath = indexPath;
        this.owners = owners;
        this.shards = shards;
        Keys = new ReadOnlyCollection<string>(keys.ToArray());
        Metadata = metadata;
    }

    /// <summary>The full path of the index file.</summary>
    public string IndexPath { get; }

    /// <inheritdoc />
    public string Location => IndexPath;

    /// <inheritdoc />
    public IReadOnlyCollection<string> Keys { get; }

    /// <summary>The index's <c>metadata</c> values (e.g. <c>total_size</c>) as JSON text.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The shard files, in the order the index first names them.</summary>
    public IEnumerable<string> ShardPaths => shards.Select(s => s.Location!);

    /// <summary>Opens an index file and every shard it names (safetensors, or <c>.bin</c>/<c>.pth</c> PyTorch shards).</summary>
    /// <exception cref="CheckpointFormatException">The index is invalid, names a missing shard, or a shard lacks a key the index gives it.</exception>
    public static ShardedTensorSource Open(string indexPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(indexPath);
        var fullPath = Path.GetFullPath(indexPath);
        var (weightMap, metadata) = ReadIndex(fullPath);
        var folder = Path.GetDirectoryName(fullPath)!;
        var byFile = new Dictionary<string, ITensorSource>(StringComparer.Ordinal);
        var shards = new List<ITensorSource>();
        var owners = new Dictionary<string, ITensorSource>(StringComparer.Ordinal);
        try
        {
            foreach (var (key, file) in weightMap)
            {
                if (!byFile.TryGetValue(file, out var shard))
                {
                    shard = OpenShard(fullPath, folder, file);
                    byFile[file] = shard;
                    shards.Add(shard);
                }

                if (!shard.Contains(key))
                {
                    throw new CheckpointFormatException(fullPath, $"the index puts tensor '{key}' in shard '{file}', which does not hold it.");
                }

                owners[key] = shard;
            }

            return new ShardedTensorSource(fullPath, owners, shards, weightMap.Select(p => p.Key).ToArray(), metadata);
        }
        catch
        {
            shards.ForEach(s => s.Dispose());
            throw;
        }
    }

    /// <inheritdoc />
    public bool Contains(string key) => owners.ContainsKey(key);

    /// <inheritdoc />
    public TensorInfo GetInfo(string key) => Owner(key).GetInfo(key);

    /// <inheritdoc />
    public torch.Tensor Load(string key, torch.ScalarType? dtype = null, torch.Device? device = null) => Owner(key).Load(key, dtype, device);

    /// <inheritdoc />
    public bool TryFillDirectly(string key, torch.Tensor destination) => Owner(key).TryFillDirectly(key, destination);

    /// <summary>Closes every shard.</summary>
    public void Dispose() => shards.ForEach(s => s.Dispose());

    private ITensorSource Owner(string key) =>
        owners.TryGetValue(key, out var shard) ? shard : throw new KeyNotFoundException($"Tensor '{key}' is not in the sharded checkpoint '{IndexPath}'.");

    private static ITensorSource OpenShard(string indexPath, string folder, string file)
    {
        // Shard names come from the file: refuse anything that would reach outside the index's folder.
        if (file.Length == 0 || file != Path.GetFileName(file) || file is "." or "..")
        {
            throw new CheckpointFormatException(indexPath, $"the index names shard '{file}', which is not a plain file name beside the index.");
        }

        var shardPath = Path.Combine(folder, file);
        if (!File.Exists(shardPath))
        {
            throw new CheckpointFormatException(indexPath, $"shard '{file}' named by the index is missing (expected at '{shardPath}'); download every shard of the checkpoint.");
        }

        return file.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            ? SafetensorsFile.Open(shardPath)
            : PickleCheckpoint.Open(shardPath);
    }

    private static (List<KeyValuePair<string, string>> WeightMap, IReadOnlyDictionary<string, string> Metadata) ReadIndex(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"Sharded checkpoint index '{path}' does not exist.", path);
        }

        if (new FileInfo(path).Length > MaxIndexBytes)
        {
            throw new CheckpointFormatException(path, $"the index is larger than {MaxIndexBytes} bytes.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"the index is not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(path, "the index has no 'weight_map' object.");
            }

            var weightMap = new List<KeyValuePair<string, string>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    throw new CheckpointFormatException(path, $"weight_map entry '{entry.Name}' is {entry.Value.ValueKind}, not a shard file name.");
                }

                if (!seen.Add(entry.Name))
                {
                    throw new CheckpointFormatException(path, $"weight_map names '{entry.Name}' twice.");
                }

                weightMap.Add(new(entry.Name, entry.Value.GetString()!));
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
            {
                foreach (var item in meta.EnumerateObject())
                {
                    metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
                }
            }

            return (weightMap, new ReadOnlyDictionary<string, string>(metadata));
        }
    }
}
