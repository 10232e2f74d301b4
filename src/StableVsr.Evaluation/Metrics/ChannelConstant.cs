using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics;

/// <summary>Per-channel constants of the metric networks (normalisation means and scales), [1, 3, 1, 1] float32.</summary>
internal static class ChannelConstant
{
    /// <summary>
    /// The constant, owned by the module that keeps it whatever dispose scope the module is built in (register it as
    /// a non-persistent buffer so it moves with the module without being a checkpoint entry).
    /// </summary>
    public static Tensor Of(params float[] values)
    {
        using var scope = NewDisposeScope();
        return tensor(values).view(1, values.Length, 1, 1).DetachFromDisposeScope();
    }
}
