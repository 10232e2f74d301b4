using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Weights;

/// <summary>
/// The one routine that turns a freshly built module into a loaded module for inference, for every network StableVsr
/// loads (the diffusers models, RAFT, the metric networks): convert and move it, fill it from its weights, switch it to
/// eval mode with parameters that need no gradients, and dispose it when anything on the way fails.
/// </summary>
internal static class InferenceModules
{
    /// <summary>Prepares <paramref name="model"/>: dtype, device, <paramref name="fill"/> (loads its weights), eval mode, no gradients.</summary>
    /// <param name="model">A module just built; disposed when this fails.</param>
    /// <param name="device">Target device; null keeps the CPU.</param>
    /// <param name="dtype">Target floating-point type; null keeps what the module was built with.</param>
    /// <param name="fill">Loads the weights into the converted and moved module.</param>
    /// <exception cref="InvalidInputException"><paramref name="dtype"/> is not a floating-point type.</exception>
    public static T Prepare<T>(T model, Device? device, ScalarType? dtype, Action<T> fill)
        where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(fill);
        try
        {
            CheckDType(dtype);
            if (dtype is ScalarType type)
            {
                model.to(type);
            }

            if (device is not null)
            {
                model.to(device);
            }

            fill(model);
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

    /// <summary>Refuses a dtype that is not floating point.</summary>
    /// <exception cref="InvalidInputException">It is not float16, bfloat16, float32 or float64.</exception>
    public static void CheckDType(ScalarType? dtype)
    {
        if (dtype is { } type && type is not (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64))
        {
            throw new InvalidInputException($"A model's dtype must be float16, bfloat16, float32 or float64, got {type}.");
        }
    }
}
