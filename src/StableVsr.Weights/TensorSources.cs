using StableVsr.Weights.Pickle;
using StableVsr.Weights.Safetensors;

namespace StableVsr.Weights;

/// <summary>Opens a checkpoint by what its path is: a file of a known kind, or a diffusers/transformers model folder.</summary>
public static class TensorSources
{
    /// <summary>
    /// The weight file names looked for in a model folder, in order of preference: safetensors before pickles
    /// (they cannot run code and load without a copy), single files before sharded ones.
    /// </summary>
    public static IReadOnlyList<string> FolderWeightNames { get; } =
    [
        "diffusion_pytorch_model.safetensors",
        "model.safetensors",
        "diffusion_pytorch_model.safetensors.index.json",
        "model.safetensors.index.json",
        "diffusion_pytorch_model.bin",
        "pytorch_model.bin",
        "diffusion_pytorch_model.bin.index.json",
        "pytorch_model.bin.index.json",
    ];

    /// <summary>
    /// Opens <paramref name="path"/>: a <c>.safetensors</c> file, a <c>*.index.json</c> shard index, a PyTorch
    /// <c>.pth</c>/<c>.pt</c>/<c>.bin</c> file, or a model folder (its weights are found by <see cref="FindWeights"/>).
    /// </summary>
    /// <exception cref="ModelLoadException">Nothing readable is at the path.</exception>
    public static ITensorSource Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            path = FindWeights(path) ?? throw new ModelLoadException(
                $"Model folder '{Path.GetFullPath(path)}' holds no weights; expected one of: {string.Join(", ", FolderWeightNames)}.", Path.GetFullPath(path));
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

    /// <summary>The preferred weight file of a model folder (see <see cref="FolderWeightNames"/>), or null when it has none.</summary>
    public static string? FindWeights(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return FolderWeightNames.Select(n => Path.Combine(Path.GetFullPath(folder), n)).FirstOrDefault(File.Exists);
    }
}
