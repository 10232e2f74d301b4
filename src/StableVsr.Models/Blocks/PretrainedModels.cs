using Microsoft.Extensions.Logging;
using StableVsr.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' and transformers' <c>from_pretrained</c> for one model folder: read <c>config.json</c>, build the model,
/// convert and move it, load the folder's weights (the file <see cref="CheckpointLayout.FindWeights"/> prefers:
/// safetensors, shards, the PyTorch <c>.bin</c>) and switch to inference (eval mode, parameters without gradients).
/// Every network is prepared by <see cref="InferenceModules"/> (dtype, device, eval mode, no gradients).
/// </summary>
internal static class PretrainedModels
{
    /// <summary>Builds the model from <paramref name="folder"/> with <paramref name="build"/> (given the config path) and loads its weights.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="build">Builds the model from the config path.</param>
    /// <param name="device">Target device; null keeps the CPU.</param>
    /// <param name="dtype">Target floating-point type; null keeps float32.</param>
    /// <param name="logger">Receives the load report's warnings.</param>
    /// <param name="keyMap">Maps checkpoint keys to module keys; null for checkpoint keys that equal the module's.</param>
    /// <exception cref="ModelLoadException">The folder, config or weights cannot be used.</exception>
    /// <exception cref="InvalidInputException"><paramref name="dtype"/> is not a floating-point type.</exception>
    public static T Load<T>(string folder, Func<string, T> build, Device? device, ScalarType? dtype, ILogger? logger, Func<string, string?>? keyMap = null)
        where T : nn.Module
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(build);
        if (!Directory.Exists(folder))
        {
            throw new ModelLoadException(
                $"Model folder '{folder}' does not exist. Pass the folder that holds {CheckpointLayout.ConfigFileName} and the weights (e.g. the checkpoint's unet/ or text_encoder/).", folder);
        }

        var weights = CheckpointLayout.FindWeights(folder) ?? throw new ModelLoadException(
            $"Model folder '{folder}' has no weights: expected one of {string.Join(", ", CheckpointLayout.FolderWeightNames)} beside {CheckpointLayout.ConfigFileName}.",
            folder);
        InferenceModules.CheckDType(dtype);
        return LoadWeights(build(Path.Combine(folder, CheckpointLayout.ConfigFileName)), () => TensorSources.Open(weights), folder, device, dtype, logger, keyMap);
    }

    /// <summary>
    /// Converts and moves a freshly built <paramref name="model"/>, loads the weights <paramref name="open"/> gives, and
    /// switches it to inference (eval mode, no gradients); disposes the model when anything fails.
    /// </summary>
    /// <exception cref="ModelLoadException">The weights cannot be read or do not match the model.</exception>
    /// <exception cref="InvalidInputException"><paramref name="dtype"/> is not a floating-point type.</exception>
    public static T LoadWeights<T>(T model, Func<ITensorSource> open, string origin, Device? device, ScalarType? dtype, ILogger? logger, Func<string, string?>? keyMap = null)
        where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(open);
        return InferenceModules.Prepare(model, device, dtype, m =>
        {
            using var source = open();
            StateDictLoader.Load(m, source, logger, keyMap);
        });
    }
}
