using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Sampling.Flow;
using StableVsr.Sampling.Schedulers;
using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// The work StableVSR does for a frame at one timestep, for a batch of frames at once (one frame of each of several
/// sequences): temporal texture guidance (decode the previous frame's predicted x0, warp it onto this frame), the
/// ControlNet and UNet, and the scheduler step. It converts between float32 (latents, images, flows, scheduler) and each
/// network's own dtype, and holds what is the same for every call of a run: the prompt embeddings in the UNet's and
/// the ControlNet's dtypes and the noise-level class labels. Create one per run and dispose it afterwards.
/// </summary>
internal sealed class GuidedDenoiser : IDisposable
{
    private readonly UNet2DConditionModel unet;
    private readonly ControlNetModel controlNet;
    private readonly AutoencoderKL vae;
    private readonly int? vaeTileSize;
    private readonly ScalarType unetType;
    private readonly ScalarType controlType;
    private readonly ScalarType vaeType;
    private readonly Tensor unetEmbeds;
    private readonly Tensor controlEmbeds;
    private readonly Tensor? unetClass;
    private readonly Tensor? controlClass;

    /// <summary>Prepares a run over the given networks (all on one device, in eval mode).</summary>
    /// <param name="unet">The denoising UNet.</param>
    /// <param name="controlNet">The temporal conditioning ControlNet.</param>
    /// <param name="vae">The x4 VAE, used to decode predicted x0 for the guidance and final latents.</param>
    /// <param name="promptEmbeds">Text embeddings [1, tokens, hidden], any float type, on the networks' device.</param>
    /// <param name="noiseLevel">Class label for a UNet or ControlNet with a noise-level embedding (see <see cref="SamplingOptions.NoiseLevel"/>).</param>
    /// <param name="vaeTileSize">Decode in tiles of this many latent pixels (see <see cref="SamplingOptions.VaeTileSize"/>); null decodes whole.</param>
    /// <exception cref="InvalidInputException">The noise level is outside a model's noise-level embedding.</exception>
    public GuidedDenoiser(UNet2DConditionModel unet, ControlNetModel controlNet, AutoencoderKL vae, Tensor promptEmbeds, int noiseLevel, int? vaeTileSize = null)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(controlNet);
        ArgumentNullException.ThrowIfNull(vae);
        ArgumentNullException.ThrowIfNull(promptEmbeds);
        (this.unet, this.controlNet, this.vae, this.vaeTileSize) = (unet, controlNet, vae, vaeTileSize);
        unetType = unet.parameters().First().dtype;
        controlType = controlNet.parameters().First().dtype;
        vaeType = vae.parameters().First().dtype;
        var device = promptEmbeds.device;
        unetClass = ClassLabels(unet.Config.NumClassEmbeds, noiseLevel, device);
        controlClass = ClassLabels(controlNet.Config.NumClassEmbeds, noiseLevel, device);
        unetEmbeds = promptEmbeds.to(unetType).DetachFromDisposeScope();
        controlEmbeds = promptEmbeds.to(controlType).DetachFromDisposeScope();
    }

    /// <summary>
    /// Decodes latents [B, 4, h, w] as the UNet sees them (scaled by the VAE's scaling factor) to images
    /// [B, 3, 4h, 4w] in float32, nominally in [-1, 1]; in tiles when a tile size was given.
    /// </summary>
    public Tensor Decode(Tensor latents)
    {
        ArgumentNullException.ThrowIfNull(latents);
        using var scope = NewDisposeScope();
        var scaled = latents.DividedBy(vae.ScalingFactor).to(vaeType);
        var images = vaeTileSize is { } tile ? vae.DecodeTiled(scaled, tile) : vae.Decode(scaled);
        return images.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Temporal texture guidance: the previous frames' predicted x0 [B, 4, h, w], decoded to RGB and warped onto the
    /// current frames with <paramref name="flow"/> [B, 4h, 4w, 2] (float32, pixels).
    /// </summary>
    public Tensor Guidance(Tensor previousX0, Tensor flow)
    {
        ArgumentNullException.ThrowIfNull(previousX0);
        ArgumentNullException.ThrowIfNull(flow);
        using var scope = NewDisposeScope();
        return FlowWarp.Warp(Decode(previousX0), flow).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One denoising step of a batch of frames: predicts the noise from the latents and LR frames (with the ControlNet
    /// when <paramref name="guidance"/> is given, else the UNet alone, as for the first frame of a pass) and lets the
    /// scheduler take its step.
    /// </summary>
    /// <param name="scheduler">The scheduler, with its timesteps set.</param>
    /// <param name="t">The timestep.</param>
    /// <param name="timestep"><paramref name="t"/> as a scalar int64 tensor on the networks' device (made once per run).</param>
    /// <param name="latents">Latents [B, 4, h, w], float32.</param>
    /// <param name="lowResolution">LR frames [B, 3, h, w] in [-1, 1], float32.</param>
    /// <param name="guidance">Warped previous frames [B, 3, 4h, 4w] from <see cref="Guidance"/>, or null.</param>
    /// <param name="varianceNoise">The scheduler's variance noise [B, 4, h, w] when it needs one at <paramref name="t"/>.</param>
    public SchedulerStepResult Step(NoiseScheduler scheduler, long t, Tensor timestep, Tensor latents, Tensor lowResolution, Tensor? guidance, Tensor? varianceNoise)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(timestep);
        ArgumentNullException.ThrowIfNull(latents);
        ArgumentNullException.ThrowIfNull(lowResolution);
        using var scope = NewDisposeScope();
        var modelInput = cat([scheduler.ScaleModelInput(latents, t), lowResolution], 1);
        var epsilon = PredictNoise(modelInput, timestep, guidance);
        var step = scheduler.Step(epsilon, t, latents, varianceNoise);
        return new SchedulerStepResult(step.PrevSample.MoveToOuterDisposeScope(), step.PredOriginalSample.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        unetEmbeds.Dispose();
        controlEmbeds.Dispose();
        unetClass?.Dispose();
        controlClass?.Dispose();
    }

    private static Tensor? ClassLabels(int? classCount, int noiseLevel, Device device)
    {
        if (classCount is null)
        {
            return null;
        }

        if (noiseLevel < 0 || noiseLevel >= classCount)
        {
            throw new InvalidInputException($"Noise level {noiseLevel} is outside the model's noise-level embedding (0 to {classCount - 1}).");
        }

        return tensor(new long[] { noiseLevel }, ScalarType.Int64, device).DetachFromDisposeScope();
    }

    private static Tensor Batched(Tensor embeds, long batch) => embeds.shape[0] == batch ? embeds : embeds.expand(batch, -1, -1);

    private Tensor PredictNoise(Tensor modelInput, Tensor timestep, Tensor? guidance)
    {
        var batch = modelInput.shape[0];
        if (guidance is null)
        {
            return unet.forward(new UNetInput(modelInput.to(unetType), timestep, Batched(unetEmbeds, batch), unetClass)).to(ScalarType.Float32);
        }

        using var residuals = controlNet.forward(new ControlNetInput(modelInput.to(controlType), timestep, Batched(controlEmbeds, batch), guidance.to(controlType), ClassLabels: controlClass));
        var down = residuals.DownResiduals.Select(r => r.to(unetType)).ToArray();
        var mid = residuals.MidResidual.to(unetType);
        return unet.forward(new UNetInput(modelInput.to(unetType), timestep, Batched(unetEmbeds, batch), unetClass, down, mid)).to(ScalarType.Float32);
    }
}
