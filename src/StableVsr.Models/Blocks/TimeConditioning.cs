using StableVsr.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// The conditioning vector of the UNet and ControlNet: the sinusoidal timestep embedding broadcast to the batch,
/// through the time MLP, plus the class embedding when the model has one (diffusers 0.21's forward, step 1).
/// </summary>
internal static class TimeConditioning
{
    /// <summary>Computes the embedding [B, time embed dim] in the sample's dtype; the caller owns the dispose scope.</summary>
    public static Tensor Embed(Tensor sample, Tensor timestep, Tensor? classLabels, Timesteps timeProj, TimestepEmbedding timeEmbedding, Embedding? classEmbedding)
    {
        var timesteps = timestep.dim() == 0 ? timestep.unsqueeze(0) : timestep;
        timesteps = timesteps.to(sample.device).expand(sample.shape[0]);

        // The sinusoids are always float32; the MLP runs in the model's dtype.
        var emb = timeEmbedding.forward(timeProj.forward(timesteps).to_type(sample.dtype));
        if (classEmbedding is not null && classLabels is not null)
        {
            emb = emb.Plus(classEmbedding.forward(classLabels.to(sample.device)).to_type(sample.dtype));
        }

        return emb;
    }
}
