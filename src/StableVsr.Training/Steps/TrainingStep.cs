using StableVsr.Models.ControlNet;
using StableVsr.Models.Raft;
using StableVsr.Models.Unet;
using StableVsr.Sampling.Flow;
using StableVsr.Sampling.Pipeline;
using StableVsr.Tensors;
using StableVsr.Training.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Training.Steps;

/// <summary>
/// One pass of train.py's inner loop (lines 914-969) over a batch of 3-frame windows: pick each window's neighbour
/// frame, encode the centre and neighbour ground truth to latents, noise both at shared random timesteps, let the frozen
/// UNet predict the neighbour, decode its approximated x0, warp that onto the centre frame with RAFT's flow between the
/// bicubic-upscaled LR frames, and train the ControlNet on that warped image: the loss is the MSE between the UNet's
/// prediction with the ControlNet's residuals and the diffusion target. Gradients reach only the ControlNet, through
/// the frozen UNet's second call; the neighbour branch runs without autograd, as train.py's <c>.detach()</c> implies.
/// </summary>
internal sealed class TrainingStep
{
    /// <summary>Frames per training window (config_reds.yaml's <c>num_frame</c>; train.py's neighbour choice assumes 3).</summary>
    public const int WindowFrames = 3;

    private const int CentreFrame = WindowFrames / 2;
    private const int UpscaleFactor = 4;

    private readonly TrainingNetworks networks;

    public TrainingStep(TrainingNetworks networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        this.networks = networks;
    }

    /// <summary>
    /// Runs the forward pass and, when the loss is finite, accumulates the gradients of
    /// <c>loss / accumulationSteps</c> into the ControlNet's parameters (accelerate's <c>backward</c>).
    /// </summary>
    /// <param name="groundTruth">[B, 3, 3, H, W] in [0, 1]: B windows of 3 HR frames.</param>
    /// <param name="lowResolution">[B, 3, 3, H/4, W/4] in [0, 1]: the matching LR frames.</param>
    /// <param name="draws">The batch's random draws.</param>
    /// <param name="accumulationSteps">The loss is divided by this before the backward pass.</param>
    /// <param name="keepIntermediates">Whether to return the step's tensors (for parity tests).</param>
    /// <exception cref="InvalidInputException">The batch tensors have the wrong shapes.</exception>
    public TrainingStepResult Run(Tensor groundTruth, Tensor lowResolution, ITrainingDraws draws, int accumulationSteps = 1, bool keepIntermediates = false)
    {
        using var scope = NewDisposeScope();
        var recorded = keepIntermediates ? new TrainingStepIntermediates() : null;
        try
        {
            var inputs = Prepare(groundTruth, lowResolution, draws, recorded);
            var loss = Loss(inputs, recorded);
            var value = loss.to(ScalarType.Float64).item<double>();
            if (!double.IsFinite(value))
            {
                return new TrainingStepResult(value, false, recorded);
            }

            var scaled = accumulationSteps == 1 ? loss : loss.DividedBy(accumulationSteps);
            scaled.backward();
            return new TrainingStepResult(value, true, recorded);
        }
        catch
        {
            recorded?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The part of train.py's step that needs no autograd: the neighbour choice, both latents, the noise at shared timesteps, the
    /// frozen UNet's prediction of the neighbour, its decoded approximated x0 warped onto the centre frame by RAFT's
    /// flow, and the diffusion target.
    /// </summary>
    /// <exception cref="InvalidInputException">The batch tensors have the wrong shapes.</exception>
    public TrainingStepInputs Prepare(Tensor groundTruth, Tensor lowResolution, ITrainingDraws draws, TrainingStepIntermediates? recorded = null)
    {
        ArgumentNullException.ThrowIfNull(draws);
        CheckBatch(groundTruth, lowResolution);
        using var noGrad = no_grad();
        var device = networks.Device;
        var unetType = networks.UnetType;
        var workType = TrainedType;
        var batch = (int)groundTruth.shape[0];
        var gt = groundTruth.to(workType, device).Times(2).Minus(1);
        var lq = lowResolution.to(workType, device).Times(2).Minus(1);
        var (frames, channels, height, width) = (lq.shape[1], lq.shape[2], lq.shape[3], lq.shape[4]);
        var upscaled = SequenceFlows.UpscaleBicubic(lq.reshape(batch * frames, channels, height, width))
            .reshape(batch, frames, channels, height * UpscaleFactor, width * UpscaleFactor);

        // Python's round() rounds 0.5 to even: frame t-1 unless the draw is above one half.
        var neighbour = draws.NeighbourChoices(batch).Select(u => (int)Math.Round(u, MidpointRounding.ToEven) * 2).ToArray();
        var gtNeighbour = PickFrames(gt, neighbour);
        var upscaledNeighbour = PickFrames(upscaled, neighbour);
        var lqNeighbour = PickFrames(lq, neighbour);
        var gtCentre = gt.select(1, CentreFrame);
        var lqCentre = lq.select(1, CentreFrame);
        var upscaledCentre = upscaled.select(1, CentreFrame);

        var latents = SampleLatents(gtCentre, draws, TrainingNoise.LatentSample);
        var latentsNeighbour = SampleLatents(gtNeighbour, draws, TrainingNoise.NeighbourLatentSample);

        var noise = draws.Noise(TrainingNoise.Diffusion, latents.shape, latents.dtype, device);
        var timesteps = draws.Timesteps(batch, networks.Diffusion.TrainTimesteps, device);
        var noisyLatents = networks.Diffusion.AddNoise(latents, noise, timesteps);
        var noisyInput = cat([noisyLatents, lqCentre.to(noisyLatents.dtype)], 1).to(unetType);

        var noiseNeighbour = draws.Noise(TrainingNoise.NeighbourDiffusion, latentsNeighbour.shape, latentsNeighbour.dtype, device);
        var noisyNeighbour = networks.Diffusion.AddNoise(latentsNeighbour, noiseNeighbour, timesteps);
        var neighbourInput = cat([noisyNeighbour, lqNeighbour.to(noisyNeighbour.dtype)], 1).to(unetType);
        var predictionNeighbour = networks.Unet.forward(new UNetInput(neighbourInput, timesteps, PromptEmbeds(batch, unetType)));
        var x0Neighbour = networks.Diffusion.ApproximatedX0(predictionNeighbour.to(noisyNeighbour.dtype), timesteps, noisyNeighbour);
        var rgbNeighbour = networks.Vae.Decode(x0Neighbour.DividedBy(networks.Vae.ScalingFactor).to(networks.VaeType));

        // get_flow: RAFT from the centre frame to the neighbour, last update, as [B, H, W, 2].
        var raftType = networks.RaftType;
        var flow = networks.Raft.EstimateFlow(upscaledCentre.to(raftType), upscaledNeighbour.to(raftType), networks.RaftIterations)
            .permute(0, 2, 3, 1).to(workType);
        var condition = FlowWarp.Warp(rgbNeighbour.to(workType), flow);
        var target = networks.Diffusion.Target(latents, noise, timesteps);

        if (recorded is not null)
        {
            recorded.Record("latents", latents);
            recorded.Record("latents_prev", latentsNeighbour);
            recorded.Record("noisy_latents", noisyLatents);
            recorded.Record("noisy_latents_prev", noisyNeighbour);
            recorded.Record("model_pred_prev", predictionNeighbour);
            recorded.Record("approximated_x0_latent_prev", x0Neighbour);
            recorded.Record("approximated_x0_rgb_prev", rgbNeighbour);
            recorded.Record("flow", flow);
            recorded.Record("controlnet_cond", condition);
            recorded.Record("target", target);
        }

        return new TrainingStepInputs(noisyInput, timesteps, condition, target);
    }

    /// <summary>
    /// The only part of train.py's step with autograd: the ControlNet (trained) gives residuals, the frozen UNet
    /// predicts with them, and the loss is the mean squared error to the target, in the ControlNet's dtype (float32).
    /// </summary>
    public Tensor Loss(TrainingStepInputs inputs, TrainingStepIntermediates? recorded = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var (batch, unetType, trainedType) = ((int)inputs.NoisyInput.shape[0], networks.UnetType, TrainedType);
        using var residuals = networks.ControlNet.forward(new ControlNetInput(
            inputs.NoisyInput.to(trainedType), inputs.Timesteps, PromptEmbeds(batch, trainedType), inputs.Condition.to(trainedType)));
        var prediction = networks.Unet.forward(new UNetInput(
            inputs.NoisyInput,
            inputs.Timesteps,
            PromptEmbeds(batch, unetType),
            DownResiduals: residuals.DownResiduals.Select(r => r.to(unetType)).ToList(),
            MidResidual: residuals.MidResidual.to(unetType)));
        if (recorded is not null)
        {
            recorded.Record("mid_block_res_sample", residuals.MidResidual);
            recorded.Record("model_pred", prediction);
        }

        return nn.functional.mse_loss(prediction.to(trainedType), inputs.Target.to(trainedType));
    }

    // The ControlNet's dtype: float32 in training (train.py keeps trainable weights in float32); the pieces that feed
    // it and the loss are computed in it too.
    private ScalarType TrainedType => networks.ControlNet.parameters().First().dtype;

    // latent_dist.sample() * scaling_factor: (mean + exp(0.5 * logvar) * noise) * scaling_factor.
    private Tensor SampleLatents(Tensor images, ITrainingDraws draws, TrainingNoise kind)
    {
        using var distribution = networks.Vae.Encode(images.to(networks.VaeType));
        var noise = draws.Noise(kind, distribution.Mean.shape, distribution.Mean.dtype, distribution.Mean.device);
        var std = exp(distribution.LogVar.Times(0.5));
        return distribution.Mean.Plus(std * noise).Times(networks.Vae.ScalingFactor);
    }

    private Tensor PromptEmbeds(int batch, ScalarType dtype) => networks.PromptEmbeds.to(dtype, networks.Device).repeat(batch, 1, 1);

    private static Tensor PickFrames(Tensor windows, int[] frames) =>
        stack(frames.Select((frame, i) => windows[i, frame]).ToArray());

    private static void CheckBatch(Tensor groundTruth, Tensor lowResolution)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(lowResolution);
        var gt = groundTruth.shape;
        var lq = lowResolution.shape;
        if (gt.Length != 5 || lq.Length != 5 || gt[1] != WindowFrames || gt[2] != 3 || lq[1] != WindowFrames || lq[2] != 3
            || gt[0] != lq[0] || gt[3] != lq[3] * UpscaleFactor || gt[4] != lq[4] * UpscaleFactor || gt[0] < 1)
        {
            throw new InvalidInputException(
                $"A training batch is ground truth [B, {WindowFrames}, 3, H, W] with low-resolution frames [B, {WindowFrames}, 3, H/4, W/4]; " +
                $"got [{string.Join(", ", gt)}] and [{string.Join(", ", lq)}].");
        }
    }
}
