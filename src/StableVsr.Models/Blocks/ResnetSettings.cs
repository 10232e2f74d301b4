namespace StableVsr.Models.Blocks;

/// <summary>
/// The settings every <see cref="ResnetBlock2D"/> of a block shares.
/// </summary>
/// <param name="TembChannels">Width of the time embedding, or null for blocks without one (the VAE).</param>
/// <param name="Groups">GroupNorm groups.</param>
/// <param name="Eps">GroupNorm epsilon.</param>
/// <param name="Activation">The non-linearity (<c>act_fn</c>).</param>
/// <param name="OutputScaleFactor">The residual sum is divided by it.</param>
internal sealed record ResnetSettings(int? TembChannels, int Groups, double Eps, Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Activation, double OutputScaleFactor = 1.0);
