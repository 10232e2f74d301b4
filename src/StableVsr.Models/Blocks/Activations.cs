using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>diffusers' <c>get_activation</c>: the activation functions a config may name in <c>act_fn</c>.</summary>
internal static class Activations
{
    /// <summary>The function named <paramref name="name"/>.</summary>
    /// <exception cref="UnsupportedConfigException">diffusers 0.21 knows no activation of that name.</exception>
    public static Func<Tensor, Tensor> Get(string name, string key, string? source) => name switch
    {
        "silu" or "swish" => x => nn.functional.silu(x),
        // TorchSharp's mish builds its softplus Scalars inside and offers no overload taking held ones; no checkpoint
        // StableVsr loads uses mish.
#pragma warning disable SVSR001
        "mish" => x => nn.functional.mish(x),
#pragma warning restore SVSR001
        "gelu" => x => nn.functional.gelu(x),
        "relu" => x => nn.functional.relu(x),
        _ => throw new UnsupportedConfigException(key, name, source, "Activations are 'silu' (or 'swish'), 'mish', 'gelu' and 'relu'."),
    };
}
