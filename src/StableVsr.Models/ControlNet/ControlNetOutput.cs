using static TorchSharp.torch;

namespace StableVsr.Models.ControlNet;

/// <summary>
/// The residuals a <see cref="ControlNetModel"/> makes for the UNet (<c>UNetInput.DownResiduals</c> and
/// <c>UNetInput.MidResidual</c>). Disposing it disposes every tensor.
/// </summary>
/// <param name="DownResiduals">One residual per skip connection of the UNet, in the order the down blocks make them.</param>
/// <param name="MidResidual">The residual for the mid block's output.</param>
internal sealed record ControlNetOutput(IReadOnlyList<Tensor> DownResiduals, Tensor MidResidual) : IDisposable
{
    /// <summary>Disposes every residual.</summary>
    public void Dispose()
    {
        foreach (var residual in DownResiduals)
        {
            residual.Dispose();
        }

        MidResidual.Dispose();
    }
}
