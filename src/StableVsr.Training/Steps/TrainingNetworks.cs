using StableVsr.Models.ControlNet;
using StableVsr.Models.Raft;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Training.Diffusion;
using static TorchSharp.torch;

namespace StableVsr.Training.Steps;

/// <summary>
/// What a training step runs: the frozen UNet, VAE and RAFT (RAFT normalising with whole-batch statistics, as train.py
/// runs it), the ControlNet being trained (float32, parameters requiring gradients), the diffusion arithmetic and the
/// prompt's text embedding. Does not own the networks.
/// </summary>
internal sealed record TrainingNetworks(
    UNet2DConditionModel Unet,
    AutoencoderKL Vae,
    Raft Raft,
    ControlNetModel ControlNet,
    DiffusionTargets Diffusion,
    Tensor PromptEmbeds,
    int RaftIterations = 12)
{
    /// <summary>The device every network is on.</summary>
    public Device Device => Unet.parameters().First().device;

    /// <summary>The UNet's dtype (float32, bfloat16 or float16).</summary>
    public ScalarType UnetType => Unet.parameters().First().dtype;

    /// <summary>The VAE's dtype.</summary>
    public ScalarType VaeType => Vae.parameters().First().dtype;

    /// <summary>RAFT's dtype.</summary>
    public ScalarType RaftType => Raft.parameters().First().dtype;
}
