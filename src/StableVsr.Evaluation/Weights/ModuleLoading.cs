using Microsoft.Extensions.Logging;
using StableVsr.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Weights;

/// <summary>How every metric network is loaded: move, fill from its files, switch to inference; dispose on failure.</summary>
internal static class ModuleLoading
{
    /// <summary>Moves <paramref name="model"/> to <paramref name="device"/>, runs <paramref name="fill"/>, and returns it in eval mode without gradients (<see cref="InferenceModules"/>, as every network is loaded).</summary>
    public static T Load<T>(T model, Device? device, Action<T> fill)
        where T : nn.Module => InferenceModules.Prepare(model, device, null, fill);

    /// <summary>
    /// Loads the <c>features.*</c> tensors of a torchvision classification checkpoint into <paramref name="backbone"/>;
    /// the classifier (<c>classifier.*</c>), which no metric uses, is skipped without a warning.
    /// </summary>
    /// <exception cref="ModelLoadException">The file is missing, unreadable, or does not hold the backbone.</exception>
    public static void LoadFile(nn.Module backbone, string path, string network, ILogger? logger)
    {
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"{network} weights '{path}' do not exist. Give torchvision's ImageNet checkpoint (.pth) or leave the option out to use the torch hub cache.", path);
        }

        using var source = TensorSources.Open(path);
        Fill(backbone, source, path, $"torchvision's {network}", key => key.StartsWith("classifier.", StringComparison.Ordinal) ? null : key, logger);
    }

    /// <summary>
    /// Loads the tensors of <paramref name="source"/> (keys mapped by <paramref name="map"/>; null skips one) into
    /// <paramref name="module"/>, naming the file and the network <paramref name="expected"/> when they do not fit.
    /// </summary>
    /// <exception cref="ModelLoadException">The file's keys or shapes are not the network's.</exception>
    public static void Fill(nn.Module module, ITensorSource source, string path, string expected, Func<string, string?> map, ILogger? logger)
    {
        try
        {
            StateDictLoader.Load(module, source, logger, map);
        }
        catch (StateDictMismatchException e)
        {
            throw new ModelLoadException($"'{path}' is not {expected}: {e.Message}", path, e);
        }
    }
}
