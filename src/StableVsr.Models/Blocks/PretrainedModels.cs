using Microsoft.Extensions.Logging;
using StableVsr.Weights;
using StableVsr.Weights.Pickle;
using StableVsr.Weights.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// diffusers' <c>from_pretrained</c> for one model folder: read <c>config.json</c>, build the model, convert and move
/// it, load <c>diffusion_pytorch_model.safetensors</c> (or the PyTorch <c>.bin</c> when that is all there is) and
/// switch to inference (eval mode, parameters without gradients).
/// </summary>
internal static class PretrainedModels
{
    /// <summary>The config file of a diffusers model folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file diffusers writes by default.</summary>
    public const string SafetensorsFileName = "diffusion_pytorch_model.safetensors";

    /// <summary>The weights file of older diffusers checkpoints.</summary>
    public const string PickleFileName = "diffusion_pytorch_model.bin";

    /// <summary>Builds the model from <paramref name="folder"/> with <paramref name="build"/> (given the config path) and loads its weights.</summary>
    /// <exception cref="ModelLoadException">The folder, config or weights cannot be used.</exception>
    public static T Load<T>(string folder, Func<string, T> build, Device? device, ScalarType? dtype, ILogger? logger)
        where T : nn.Module
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(build);
        if (!Directory.Exists(folder))
        {
            throw new ModelLoadException($"Model folder '{folder}' does not exist. Pass the folder that holds {ConfigFileName} and {SafetensorsFileName} (e.g. the checkpoint's unet/).", folder);
        }

        var weightsPath = FindWeights(folder);
        var model = build(Path.Combine(folder, ConfigFileName));
        try
        {
            if (dtype is ScalarType type)
            {
                if (!is_floating_point(type))
                {
                    throw new ModelLoadException($"Model weights must be a floating-point dtype; got {type}.", folder);
                }

                model.to(type);
            }

            if (device is not null)
            {
                model.to(device);
            }

            using (ITensorSource source = weightsPath.EndsWith(".safetensors", StringComparison.Ordinal) ? SafetensorsFile.Open(weightsPath) : PickleCheckpoint.Open(weightsPath))
            {
                StateDictLoader.Load(model, source, logger);
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

    private static string FindWeights(string folder)
    {
        var safetensors = Path.Combine(folder, SafetensorsFileName);
        if (File.Exists(safetensors))
        {
            return safetensors;
        }

        var pickle = Path.Combine(folder, PickleFileName);
        if (File.Exists(pickle))
        {
            return pickle;
        }

        throw new ModelLoadException(
            $"Model folder '{folder}' has no weights: expected {SafetensorsFileName} (or {PickleFileName}). Sharded or variant (fp16) weight files are not supported; save the model with save_pretrained(safe_serialization=True).",
            folder);
    }
}
