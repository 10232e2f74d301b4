using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Sampling.Flow;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Schedulers;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// StableVSR's frame-wise bidirectional sampling with temporal texture guidance, step for step as the reference:
/// at every timestep the frames are visited in order (even steps forwards, odd steps backwards); the first frame of a
/// pass is denoised by the UNet alone, every other frame gets the previous frame's predicted x0, decoded to RGB and
/// warped onto it with the optical flow, as the ControlNet's condition; the final latents are decoded to images.
/// </summary>
public sealed class BidirectionalSampler
{
    private readonly StableVsrModels models;
    private readonly int noiseLevel;

    /// <summary>Creates a sampler over loaded models.</summary>
    /// <param name="models">The networks.</param>
    /// <param name="noiseLevel">Class label for a UNet or ControlNet with a noise-level embedding (see <see cref="UpscaleOptions.NoiseLevel"/>).</param>
    public BidirectionalSampler(StableVsrModels models, int noiseLevel)
    {
        ArgumentNullException.ThrowIfNull(models);
        this.models = models;
        this.noiseLevel = noiseLevel;
    }

    /// <summary>
    /// Upscales a clip of LR frames [N, 3, h, w] in [-1, 1] to images [N, 3, 4h, 4w] in [0, 1], both on the models'
    /// device. The frame size must already suit the models (see <see cref="FramePadding"/>).
    /// </summary>
    /// <param name="lowResolution">The LR frames, float32, on the models' device.</param>
    /// <param name="promptEmbeds">Text embeddings [1, tokens, hidden] for the UNet's cross-attention.</param>
    /// <param name="scheduler">The scheduler, with its timesteps already set.</param>
    /// <param name="noise">Initial latents and variance noise, keyed by (step, frame).</param>
    /// <param name="flows">The clip's optical flows.</param>
    /// <param name="report">Called after each unit of work with (phase, frame, step, units done, units total).</param>
    /// <param name="cancellationToken">Checked before every frame of every step.</param>
    public Tensor Sample(
        Tensor lowResolution,
        Tensor promptEmbeds,
        INoiseScheduler scheduler,
        INoiseSource noise,
        ClipFlows flows,
        Action<UpscalePhase, int, int>? report,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lowResolution);
        ArgumentNullException.ThrowIfNull(promptEmbeds);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(flows);
        var device = lowResolution.device;
        var frameCount = (int)lowResolution.shape[0];
        var latentShape = new[] { 1, models.Vae.Config.LatentChannels, lowResolution.shape[2], lowResolution.shape[3] };
        var scaling = models.Vae.Config.ScalingFactor;
        var unetType = models.Unet.parameters().First().dtype;
        var controlType = models.ControlNet.parameters().First().dtype;
        var vaeType = models.Vae.parameters().First().dtype;
        var latents = new Tensor[frameCount];
        try
        {
            for (var k = 0; k < frameCount; k++)
            {
                using var initial = noise.InitialLatent(k, latentShape, device);
                latents[k] = initial.mul(scheduler.InitNoiseSigma);
            }

            using var unetClass = ClassLabels(models.Unet.Config.NumClassEmbeds, device);
            using var controlClass = ClassLabels(models.ControlNet.Config.NumClassEmbeds, device);
            using var unetEmbeds = promptEmbeds.to(unetType);
            using var controlEmbeds = promptEmbeds.to(controlType);
            var timesteps = scheduler.Timesteps;
            for (var i = 0; i < timesteps.Count; i++)
            {
                var t = timesteps[i];
                using var timestep = tensor(t, ScalarType.Int64, device);
                var backwards = i % 2 == 1;
                Tensor? previousX0 = null;
                try
                {
                    for (var j = 0; j < frameCount; j++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var k = backwards ? frameCount - 1 - j : j;
                        using var scope = NewDisposeScope();
                        Tensor? condition = null;
                        if (previousX0 is not null)
                        {
                            // Temporal texture guidance: the neighbour just denoised, as RGB, moved onto this frame.
                            var rgb = models.Vae.Decode(previousX0.div(scaling).to(vaeType)).to(ScalarType.Float32);
                            var flow = backwards ? flows.Backward(k) : flows.Forward(k);
                            condition = FlowWarp.Warp(rgb, flow);
                        }

                        var modelInput = cat([scheduler.ScaleModelInput(latents[k], t), lowResolution[k..(k + 1)]], 1);
                        var epsilon = PredictNoise(modelInput, timestep, unetEmbeds, controlEmbeds, condition, unetClass, controlClass);
                        var needsNoise = scheduler.NeedsVarianceNoise(t);
                        var variance = needsNoise ? noise.StepNoise(i, k, latentShape, device) : null;
                        var step = scheduler.Step(epsilon, t, latents[k], variance);
                        latents[k].Dispose();
                        latents[k] = step.PrevSample.MoveToOuterDisposeScope();
                        previousX0?.Dispose();
                        previousX0 = step.PredOriginalSample.MoveToOuterDisposeScope();
                        report?.Invoke(UpscalePhase.Denoising, k, i + 1);
                    }
                }
                finally
                {
                    previousX0?.Dispose();
                }
            }

            var images = new Tensor[frameCount];
            try
            {
                for (var k = 0; k < frameCount; k++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var decoded = models.Vae.Decode(latents[k].div(scaling).to(vaeType)).to(ScalarType.Float32);
                    images[k] = decoded.div(2).add(0.5).clamp(0, 1).MoveToOuterDisposeScope();
                    report?.Invoke(UpscalePhase.Decoding, k, 0);
                }

                return cat(images, 0);
            }
            finally
            {
                foreach (var image in images)
                {
                    image?.Dispose();
                }
            }
        }
        finally
        {
            foreach (var latent in latents)
            {
                latent?.Dispose();
            }
        }
    }

    private Tensor PredictNoise(Tensor modelInput, Tensor timestep, Tensor unetEmbeds, Tensor controlEmbeds, Tensor? condition, Tensor? unetClass, Tensor? controlClass)
    {
        var (unetType, controlType) = (unetEmbeds.dtype, controlEmbeds.dtype);
        if (condition is null)
        {
            return models.Unet.forward(new UNetInput(modelInput.to(unetType), timestep, unetEmbeds, unetClass)).to(ScalarType.Float32);
        }

        using var residuals = models.ControlNet.forward(new ControlNetInput(modelInput.to(controlType), timestep, controlEmbeds, condition.to(controlType), ClassLabels: controlClass));
        var down = residuals.DownResiduals.Select(r => r.to(unetType)).ToArray();
        var mid = residuals.MidResidual.to(unetType);
        return models.Unet.forward(new UNetInput(modelInput.to(unetType), timestep, unetEmbeds, unetClass, down, mid)).to(ScalarType.Float32);
    }

    private Tensor? ClassLabels(int? classCount, Device device)
    {
        if (classCount is null)
        {
            return null;
        }

        if (noiseLevel >= classCount)
        {
            throw new InvalidInputException($"Noise level {noiseLevel} is outside the model's noise-level embedding (0 to {classCount - 1}).");
        }

        return tensor(new long[] { noiseLevel }, ScalarType.Int64, device);
    }
}
