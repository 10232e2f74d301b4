using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// Computes alpha_bar (the cumulative product of 1 − beta) from a scheduler config exactly as diffusers does with
/// PyTorch on CPU: float32 betas, float32 1 − beta, and <c>torch.cumprod</c>'s float64 running product.
/// </summary>
/// <remarks>
/// The float32 arithmetic is written out here instead of calling libtorch's <c>linspace</c>, because libtorch's
/// CPU kernels are compiled per instruction set and the AVX2/AVX-512 builds fuse <c>start + step * i</c> into one
/// FMA: the same call then gives betas that differ by an ulp from machine to machine (and from the reference
/// fixtures, whose 1000 betas follow the unfused formula). Written out, every machine gets the reference's values.
/// </remarks>
internal static class NoiseSchedule
{
    // Glide's cosine schedule caps each beta below 1 so alpha_bar never reaches 0.
    private const double MaxCosineBeta = 0.999;

    /// <summary>alpha_bar for every training timestep, as float32 values.</summary>
    public static float[] AlphasCumprod(SchedulerConfig config, bool rescaleZeroTerminalSnr)
    {
        var betas = Betas(config);
        if (rescaleZeroTerminalSnr)
        {
            betas = RescaleZeroTerminalSnr(betas);
        }

        return CumulativeProduct(betas);
    }

    /// <summary>
    /// <c>torch.linspace(start, end, count, dtype=float32)</c> on CPU: the bounds rounded to float32, a float32 step,
    /// the first half counted up from start and the second half down from end, without fused multiply-add.
    /// </summary>
    internal static float[] Linspace(double start, double end, int count)
    {
        var first = (float)start;
        var last = (float)end;
        if (count == 1)
        {
            return [first];
        }

        var step = (last - first) / (count - 1);
        var halfway = count / 2;
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = i < halfway ? first + (step * i) : last - (step * (count - i - 1));
        }

        return values;
    }

    private static float[] Betas(SchedulerConfig config)
    {
        var count = config.NumTrainTimesteps;
        if (config.TrainedBetas is { } trained)
        {
            return trained.Select(b => (float)b).ToArray();
        }

        return config.BetaSchedule switch
        {
            BetaSchedule.Linear => Linspace(config.BetaStart, config.BetaEnd, count),

            // diffusers takes the roots in Python (libm pow, as Math.Pow), spaces them in float32, then squares in float32.
            BetaSchedule.ScaledLinear => Linspace(Math.Pow(config.BetaStart, 0.5), Math.Pow(config.BetaEnd, 0.5), count).Select(r => r * r).ToArray(),
            BetaSchedule.SquaredCosCapV2 => CosineBetas(count),
            BetaSchedule.Sigmoid => SigmoidBetas(config.BetaStart, config.BetaEnd, count),
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

    // GeoDiff: sigmoid over [-6, 6], scaled into [beta_start, beta_end]. The sigmoid is libtorch's own, the
    // scaling float32 like torch's tensor-scalar arithmetic.
    private static float[] SigmoidBetas(double betaStart, double betaEnd, int count)
    {
        using var positions = tensor(Linspace(-6, 6, count));
        using var sigmoid = positions.sigmoid();
        var range = (float)(betaEnd - betaStart);
        var start = (float)betaStart;
        return sigmoid.data<float>().ToArray().Select(s => (s * range) + start).ToArray();
    }

    // alphas = 1 - betas in float32; torch.cumprod accumulates in float64 and stores each partial product as float32.
    private static float[] CumulativeProduct(float[] betas)
    {
        var products = new float[betas.Length];
        var running = 1.0;
        for (var i = 0; i < betas.Length; i++)
        {
            running *= 1f - betas[i];
            products[i] = (float)running;
        }

        return products;
    }

    // Algorithm 1 of arXiv 2305.08891 in diffusers' float32 order: shift and scale sqrt(alpha_bar) so the last
    // timestep has zero SNR, then turn the result back into betas.
    private static float[] RescaleZeroTerminalSnr(float[] betas)
    {
        var alphasBarSqrt = CumulativeProduct(betas).Select(MathF.Sqrt).ToArray();
        var first = alphasBarSqrt[0];
        var last = alphasBarSqrt[^1];
        var scale = first / (first - last);
        var alphasBar = alphasBarSqrt.Select(r => (r - last) * scale).Select(r => r * r).ToArray();
        var rescaled = new float[betas.Length];
        rescaled[0] = 1f - alphasBar[0];
        for (var i = 1; i < betas.Length; i++)
        {
            rescaled[i] = 1f - (alphasBar[i] / alphasBar[i - 1]);
        }

        return rescaled;
    }
}
