using static TorchSharp.torch;

namespace StableVsr.Training.Steps;

/// <summary>
/// What the differentiable part of a training step reads, made without autograd from the batch and its draws: the
/// UNet's input (noisy centre latents beside the LR centre frame), the timesteps, the warped neighbour the ControlNet is
/// conditioned on, and the diffusion target. None of it depends on the ControlNet, so a finite-difference check of the
/// loss can make it once and evaluate the loss many times. The tensors belong to the caller's dispose scope.
/// </summary>
/// <param name="NoisyInput">[B, latent + 3, h, w] in the UNet's dtype.</param>
/// <param name="Timesteps">[B] int64.</param>
/// <param name="Condition">[B, 3, H, W]: the neighbour's approximated x0, decoded and warped onto the centre frame.</param>
/// <param name="Target">[B, latent, h, w]: the noise or the velocity, as the prediction type says.</param>
internal sealed record TrainingStepInputs(Tensor NoisyInput, Tensor Timesteps, Tensor Condition, Tensor Target);
