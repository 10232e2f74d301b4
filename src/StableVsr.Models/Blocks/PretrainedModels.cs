using Microsoft.Extensions.Logging;
using StableVsr.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>from_pretrained</c> for one model folder: read <c>config.json</c>, build the model, convert and move
/// it, load the folder's weights (<c>diffusion_pytorch_model.safetensors</c>, or what <see cref="TensorSources"/> finds
/// instead: shards, the PyTorch <c>.bin</c>) and switch to inference (eval mode, parameters without gradients).
/// </summary>
internal static class PretrainedModels
{
    /// <summary>The config file of a diffusers model folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file diffusers writes by default.</summary>
    public const string SafetensorsFileName = "diffusion_pytorch_model.safetensors";

    /// <summary>Builds the model from <paramref name="folder"/> with <paramref name="build"/> (given the config path) and loads its weights.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="build">Builds the model from the config path.</param>
    /// <param name="device">Target device; null keeps the CPU.</param>
    /// <param name="dtype">Target floating-point type; null keeps float32.</param>
    /// <param name="logger">Receives the load report's warnings.</param>
    /// <param name="keyMap">Maps checkpoint keys to module keys; null for checkpoint keys that equal the module's.</param>
    /// <exception cref="ModelLoadException">The folder, config or weights cannot be used.</exception>
    public static T Load<T>(string folder, Func<string, T> build, Device? device, ScalarType? dtype, ILogger? logger, Func<string, string?>? keyMap = null)
        where T : nn.Module
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(build);
        if (!Directory.Exists(folder))
        {
            throw new ModelLoadException($"Model folder '{folder}' does not exist. Pass the folder that holds {ConfigFileName} and {SafetensorsFileName} (e.g. the checkpoint's unet/).", folder);
        }

        if (TensorSources.FindWeights(folder) is null)
        {
            throw new ModelLoadException(
                $"Model folder '{folder}' has no weights: expected {SafetensorsFileName} (or one of {string.Join(", ", TensorSources.FolderWeightNames)}).",
                folder);
        }

        return LoadWeights(build(Path.Combine(folder, ConfigFileName)), () => TensorSources.Open(folder), folder, device, dtype, logger, keyMap);
    }

    /// <summary>
    /// Converts and moves a freshly built <paramref name="model"/>, loads the weights <paramref name="open"/> gives, and
    /// switches it to inference (eval mode, no gradients); disposes the model when anything fails.
    /// </summary>
    /// <exception cref="ModelLoadException">The weights cannot be read or do not match the model.</exception>
    public static T LoadWeights<T>(T model, Func<ITensorSource> open, string origin, Device? device, ScalarType? dtype, ILogger? logger, Func<string, string?>? keyMap = null)
        where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(open);
        try
        {
            if (dtype is ScalarType type)
            {
                if (!is_floating_point(type))
                {
                    throw new ModelLoadException($"Model weights must be a floating-point dtype; got {type}.", origin);
                }

                model.to(type);
            }

            if (device is not null)
            {
                model.to(device);
            }

            using (var source = open())
            {
                StateDictLoader.Load(model, source, logger, keyMap);
            }

            model.eval();
            foreach (var parameter in model.parameters())
            {
                parameter.requires_grad = false;
            }

            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
