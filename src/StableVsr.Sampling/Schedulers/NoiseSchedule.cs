using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// Computes alpha_bar (the cumulative product of 1 − beta) from a scheduler config with the same float32 tensor
/// operations diffusers uses (<c>torch.linspace</c> in float32, <c>torch.cumprod</c>), so the values match it bit for bit.
/// </summary>
internal static class NoiseSchedule
{
    // Glide's cosine schedule caps each beta below 1 so alpha_bar never reaches 0.
    private const double MaxCosineBeta = 0.999;

    /// <summary>alpha_bar for every training timestep, as float32 values.</summary>
    public static float[] AlphasCumprod(SchedulerConfig config, bool rescaleZeroTerminalSnr)
    {
        using var scope = NewDisposeScope();
        var betas = Betas(config);
        if (rescaleZeroTerminalSnr)
        {
            betas = RescaleZeroTerminalSnr(betas);
        }

        var alphasCumprod = cumprod(1.0 - betas, 0);
        return alphasCumprod.data<float>().ToArray();
    }

    private static Tensor Betas(SchedulerConfig config)
    {
        var count = config.NumTrainTimesteps;
        if (config.TrainedBetas is { } trained)
        {
            return tensor(trained.Select(b => (float)b).ToArray());
        }

        return config.BetaSchedule switch
        {
            BetaSchedule.Linear => linspace(config.BetaStart, config.BetaEnd, count, ScalarType.Float32),

            // diffusers takes the roots in Python (libm pow), spaces them in float32, then squares in float32.
            BetaSchedule.ScaledLinear => linspace(Math.Pow(config.BetaStart, 0.5), Math.Pow(config.BetaEnd, 0.5), count, ScalarType.Float32).pow(2),
            BetaSchedule.SquaredCosCapV2 => tensor(CosineBetas(count)),
            BetaSchedule.Sigmoid => (linspace(-6, 6, count, ScalarType.Float32).sigmoid() * (config.BetaEnd - config.BetaStart)) + config.BetaStart,
            _ => throw new UnsupportedConfigException("beta_schedule", config.BetaSchedule.ToString(), config.Source),
        };
    }

    // Computed in double like diffusers' Python loop, then rounded to float32 as torch.tensor(..., float32) does.
    private static float[] CosineBetas(int count)
    {
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);

        var betas = new float[count];
        for (var i = 0; i < count; i++)
        {
            var t1 = (double)i / count;
            var t2 = (double)(i + 1) / count;
            betas[i] = (float)Math.Min(1 - (AlphaBar(t2) / AlphaBar(t1)), MaxCosineBeta);
        }

        return betas;
    }

    // Algorithm 1 of arXiv 2305.08891: shift and scale sqrt(alpha_bar) so the last timestep has zero SNR.
    private static Tensor RescaleZeroTerminalSnr(Tensor betas)
    {
        var count = betas.shape[0];
        var alphasBarSqrt = cumprod(1.0 - betas, 0).sqrt();
        var first = alphasBarSqrt[0].clone();
        var last = alphasBarSqrt[-1].clone();
        alphasBarSqrt.sub_(last);
        alphasBarSqrt.mul_(first / (first - last));
        var alphasBar = alphasBarSqrt.pow(2);
        var alphas = alphasBar.narrow(0, 1, count - 1) / alphasBar.narrow(0, 0, count - 1);
        alphas = cat([alphasBar.narrow(0, 0, 1), alphas], 0);
        return 1 - alphas;
    }
}
