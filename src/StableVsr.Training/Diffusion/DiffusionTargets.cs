using StableVsr.Sampling.Schedulers;
using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using static TorchSharp.torch;

namespace StableVsr.Training.Diffusion;

/// <summary>
/// The forward-diffusion arithmetic train.py takes from StableVSR's <c>scheduler/ddpm_scheduler.py</c>:
/// <c>add_noise</c>, <c>get_velocity</c> and <c>get_approximated_x0</c>. Like the reference, alpha_bar is gathered at each
/// sample's timestep in the sample's dtype and every product is a separate tensor operation, so float32 results are
/// the reference's bit for bit.
/// </summary>
internal sealed class DiffusionTargets
{
    private readonly float[] alphasCumprod;

    /// <summary>Builds the schedule of a DDPM scheduler config (the checkpoint's <c>scheduler/scheduler_config.json</c>).</summary>
    /// <exception cref="UnsupportedConfigException">The config asks for zero-terminal-SNR rescaling, which StableVSR's DDPM scheduler does not have.</exception>
    public DiffusionTargets(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.RescaleBetasZeroSnr)
        {
            throw new UnsupportedConfigException("rescale_betas_zero_snr", true, config.Source, "StableVSR's DDPM scheduler, which train.py uses, has no zero-SNR rescaling.");
        }

        if (config.PredictionType is not (PredictionType.Epsilon or PredictionType.VPrediction))
        {
            throw new UnsupportedConfigException("prediction_type", config.PredictionType.ToString(), config.Source, "train.py trains only epsilon or v_prediction models.");
        }

        alphasCumprod = NoiseSchedule.AlphasCumprod(config, rescaleZeroTerminalSnr: false);
        PredictionType = config.PredictionType;
    }

    /// <summary>Training timesteps (1000 for StableVSR); timesteps are drawn from [0, this).</summary>
    public int TrainTimesteps => alphasCumprod.Length;

    /// <summary>What the model predicts, and so what the loss targets.</summary>
    public PredictionType PredictionType { get; }

    /// <summary><c>add_noise</c>: sqrt(ᾱ_t)·x0 + sqrt(1 − ᾱ_t)·noise.</summary>
    public Tensor AddNoise(Tensor original, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var (signal, noiseScale) = Scales(original, timesteps);
        return (signal * original).Plus(noiseScale * noise).MoveToOuterDisposeScope();
    }

    /// <summary><c>get_velocity</c>: sqrt(ᾱ_t)·noise − sqrt(1 − ᾱ_t)·x0, the v-prediction target.</summary>
    public Tensor Velocity(Tensor sample, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var (signal, noiseScale) = Scales(sample, timesteps);
        return ((signal * noise) - (noiseScale * sample)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>get_approximated_x0</c>: sqrt(ᾱ_t)·x_t − sqrt(1 − ᾱ_t)·prediction, the x0 of a v-prediction. StableVSR applies this
    /// formula whatever the scheduler's prediction type.
    /// </summary>
    public Tensor ApproximatedX0(Tensor prediction, Tensor timesteps, Tensor sample)
    {
        using var scope = NewDisposeScope();
        var (signal, noiseScale) = Scales(sample, timesteps);
        return ((signal * sample) - (noiseScale * prediction)).MoveToOuterDisposeScope();
    }

    /// <summary>The loss target: the noise for epsilon models, the velocity for v-prediction models.</summary>
    public Tensor Target(Tensor latents, Tensor noise, Tensor timesteps) =>
        PredictionType == PredictionType.VPrediction ? Velocity(latents, noise, timesteps) : noise.alias();

    // alphas_cumprod.to(sample.dtype)[t] ** 0.5 and (1 - alphas_cumprod[t]) ** 0.5, shaped to broadcast over [B, ...].
    // PyTorch computes x ** 0.5 as sqrt, so sqrt here gives the same bits.
    private (Tensor Signal, Tensor Noise) Scales(Tensor sample, Tensor timesteps)
    {
        var table = tensor(alphasCumprod, device: sample.device).to(sample.dtype);
        var alpha = table.index_select(0, timesteps.to(ScalarType.Int64, sample.device)).flatten();
        var shape = new long[sample.dim()];
        Array.Fill(shape, 1L);
        shape[0] = alpha.shape[0];
        return (alpha.sqrt().reshape(shape), alpha.SubtractedFrom(1).sqrt().reshape(shape));
    }
}
