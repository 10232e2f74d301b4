using StableVsr.Weights.Pickle;
using StableVsr.Weights.Safetensors;

namespace StableVsr.Weights;

/// <summary>Opens a checkpoint by what its path is: a file of a known kind, or a diffusers/transformers model folder.</summary>
internal static class TensorSources
{
    /// <summary>
    /// Opens <paramref name="path"/>: a <c>.safetensors</c> file, a <c>*.index.json</c> shard index, a PyTorch
    /// <c>.pth</c>/<c>.pt</c>/<c>.bin</c> file, or a model folder (its weights are found by <see cref="CheckpointLayout.FindWeights"/>).
    /// </summary>
    /// <exception cref="ModelLoadException">Nothing readable is at the path.</exception>
    public static ITensorSource Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            path = CheckpointLayout.FindWeights(path) ?? throw new ModelLoadException(
                $"Model folder '{Path.GetFullPath(path)}' holds no weights; expected one of: {string.Join(", ", CheckpointLayout.FolderWeightNames)}.", Path.GetFullPath(path));
        }

        if (path.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase))
        {
            return ShardedTensorSource.Open(path);
        }

        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            return SafetensorsFile.Open(path);
        }

        if (path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pth", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pt", StringComparison.OrdinalIgnoreCase))
        {
            return PickleCheckpoint.Open(path);
        }

        throw new ModelLoadException($"'{Path.GetFullPath(path)}' is not a checkpoint StableVsr reads: use a .safetensors, .bin, .pth or *.index.json file, or a model folder.", Path.GetFullPath(path));
    }
}
