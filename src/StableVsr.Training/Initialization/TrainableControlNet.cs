using StableVsr.Models.ControlNet;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Training.Initialization;

/// <summary>
/// Turns a ControlNet loaded for inference (eval mode, frozen weights) into the network train.py optimises: float32,
/// training mode, every parameter requiring a gradient, listed by its checkpoint name.
/// </summary>
internal static class TrainableControlNet
{
    /// <summary>Unfreezes <paramref name="controlNet"/> and returns its parameters by name, in <c>named_parameters()</c> order.</summary>
    /// <exception cref="InvalidInputException">
    /// The ControlNet is in a half type (train.py refuses low-precision trainable weights too). Float32 is what training
    /// uses; float64 is accepted for numerical checks of the gradients.
    /// </exception>
    public static IReadOnlyList<(string Name, Tensor Parameter)> Prepare(ControlNetModel controlNet)
    {
        ArgumentNullException.ThrowIfNull(controlNet);
        var parameters = controlNet.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        var lowPrecision = parameters.FirstOrDefault(p => p.Item2.dtype is not (ScalarType.Float32 or ScalarType.Float64));
        if (lowPrecision.Item2 is not null)
        {
            throw new InvalidInputException(
                $"The ControlNet to train has {lowPrecision.Item2.dtype} weights ('{lowPrecision.name}'); trainable weights must be float32, " +
                "even when the frozen networks run in lower precision.");
        }

        controlNet.train();
        foreach (var (_, parameter) in parameters)
        {
            parameter.requires_grad = true;
        }

        return parameters;
    }
}
