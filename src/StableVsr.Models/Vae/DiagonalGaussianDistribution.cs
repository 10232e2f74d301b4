using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Models.Vae;

/// <summary>
/// diffusers' <c>DiagonalGaussianDistribution</c>: the latent distribution the VAE encoder predicts, split from the
/// moments along the channels into mean and log-variance (clamped to [-30, 20] like diffusers). Owns its tensors;
/// disposing it disposes them.
/// </summary>
internal sealed class DiagonalGaussianDistribution : IDisposable
{
    private const double LogVarMin = -30.0;
    private const double LogVarMax = 20.0;

    /// <summary>Splits <paramref name="moments"/> [B, 2 x latent, h, w] into mean and clamped log-variance.</summary>
    public DiagonalGaussianDistribution(Tensor moments)
    {
        ArgumentNullException.ThrowIfNull(moments);
        using var scope = NewDisposeScope();
        var halves = moments.chunk(2, 1);
        Mean = halves[0].MoveToOuterDisposeScope();
        LogVar = halves[1].clamp(ScalarCache.Of(LogVarMin), ScalarCache.Of(LogVarMax)).MoveToOuterDisposeScope();
    }

    /// <summary>The mean [B, latent, h, w].</summary>
    public Tensor Mean { get; }

    /// <summary>The log-variance [B, latent, h, w], clamped to [-30, 20].</summary>
    public Tensor LogVar { get; }

    /// <summary>The mode of the distribution: its mean, as a new handle the caller disposes (what the x4 upscaler's pipeline encodes with).</summary>
    public Tensor Mode() => Mean.alias();

    /// <summary>Draws mean + std x N(0, 1), the noise drawn from <paramref name="generator"/> (the default generator when null) on its own device.</summary>
    public Tensor Sample(Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var noiseDevice = generator?.device ?? Mean.device;
        var noise = randn(Mean.shape, dtype: Mean.dtype, device: noiseDevice, generator: generator).to(Mean.device);
        var std = exp(LogVar.Times(0.5));
        return Mean.Plus(std * noise).MoveToOuterDisposeScope();
    }

    /// <summary>Disposes the mean and log-variance.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
    }
}
