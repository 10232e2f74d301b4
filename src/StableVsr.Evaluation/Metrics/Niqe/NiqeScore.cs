using StableVsr.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Niqe;

/// <summary>
/// NIQE, the Natural Image Quality Evaluator (Mittal, Soundararajan and Bovik, "Making a Completely Blind Image Quality
/// Analyzer", IEEE SPL 2013), as StableVSR's eval.py gets it from pyiqa 0.1.7: the 8-bit luma (Y of YIQ) cut into
/// 96x96 blocks; per block and at two scales, 18 statistics of the mean-subtracted contrast-normalised coefficients
/// (an asymmetric generalised Gaussian fitted to them and to the products of neighbours in four directions); the
/// distance of their multivariate Gaussian to the pristine model. Lower is more natural. Classical and float64,
/// on the CPU; the precision choices of the reference (float32 window, float32 half-size resize, float32 pristine
/// model, float32 luma) are kept because the fit's table lookup turns their last bits into score differences.
/// </summary>
internal sealed class NiqeScore : IDisposable
{
    /// <summary>The block side; images need at least one block.</summary>
    public const int BlockSize = 96;

    // numpy's / torch's float64 eps (not .NET's double.Epsilon, the smallest subnormal).
    private const double MachineEpsilon = 2.220446049250313e-16;
    private const int WindowSize = 7;
    private const double WindowSigma = 7.0 / 6.0;
    private static readonly (long Rows, long Columns)[] Shifts = [(0, 1), (1, 0), (1, 1), (1, -1)];

    private readonly Tensor window;
    private readonly Tensor shapes;
    private readonly Tensor ratios;
    private readonly Tensor pristineMean;
    private readonly Tensor pristineCovariance;

    /// <summary>Prepares NIQE with a pristine model (the NIQE release's, by default).</summary>
    public NiqeScore(NiqeModel? model = null)
    {
        model ??= NiqeModel.Embedded();
        Model = model;
        using var scope = NewDisposeScope();
        window = tensor(Window(), float64).view(1, 1, WindowSize, WindowSize).DetachFromDisposeScope();
        shapes = GammaTable.ShapeTensor(CPU).DetachFromDisposeScope();
        ratios = GammaTable.Ratios(shapes).DetachFromDisposeScope();

        // The reference moves the model to the image's dtype (float32) before promoting it back to float64.
        pristineMean = tensor(model.Mean.Select(v => (double)(float)v).ToArray(), float64).DetachFromDisposeScope();
        pristineCovariance = tensor(model.Covariance.Select(v => (double)(float)v).ToArray(), float64).view(NiqeModel.FeatureCount, NiqeModel.FeatureCount).DetachFromDisposeScope();
    }

    /// <summary>The pristine model in use.</summary>
    public NiqeModel Model { get; }

    /// <summary>Whether an image of this size has at least one whole block (the reference fails on smaller ones).</summary>
    public static bool Fits(long height, long width) => height >= BlockSize && width >= BlockSize;

    /// <summary>
    /// MATLAB's <c>fspecial('gaussian', 7, 7/6)</c> normalised in float64, then rounded to float32 as the reference
    /// stores it (row-major 7x7).
    /// </summary>
    public static double[] Window()
    {
        var half = (WindowSize - 1) / 2.0;
        var values = new double[WindowSize * WindowSize];
        var twoSigmaSquared = 2.0 * WindowSigma * WindowSigma;
        for (var y = 0; y < WindowSize; y++)
        {
            for (var x = 0; x < WindowSize; x++)
            {
                var dx = x - half;
                var dy = y - half;
                values[(y * WindowSize) + x] = Math.Exp(-((dx * dx) + (dy * dy)) / twoSigmaSquared);
            }
        }

        var max = values.Max();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] < MachineEpsilon * max)
            {
                values[i] = 0;
            }
        }

        var sum = PairwiseSum(values);
        return values.Select(v => (double)(float)(v / sum)).ToArray();
    }

    /// <summary>
    /// The 8-bit luma of an RGB image [3, H, W] (or [1, 3, H, W]) in [0, 1]: Y = 0.299 R + 0.587 G + 0.114 B in
    /// float32 (as a fused multiply-add chain, which is what the reference's float32 matrix product computes on the
    /// CPU), times 255, rounded half to even; [H, W] float64.
    /// </summary>
    public static Tensor Gray(Tensor image)
    {
        using var scope = NewDisposeScope();
        var rgb = (image.dim() == 4 ? image[0] : image).to(float32, CPU).contiguous();
        var (height, width) = ((int)rgb.shape[1], (int)rgb.shape[2]);
        var pixels = rgb.data<float>().ToArray();
        var plane = height * width;
        var gray = new double[plane];
        for (var i = 0; i < plane; i++)
        {
            var y = MathF.FusedMultiplyAdd(pixels[(2 * plane) + i], 0.114f, MathF.FusedMultiplyAdd(pixels[plane + i], 0.587f, pixels[i] * 0.299f));
            gray[i] = MathF.Round(y * 255f, MidpointRounding.ToEven);
        }

        return tensor(gray, [height, width], float64).MoveToOuterDisposeScope();
    }

    /// <summary>The NIQE score of an RGB image [3, H, W] or [1, 3, H, W] in [0, 1].</summary>
    /// <exception cref="InvalidInputException">The image is smaller than one 96x96 block.</exception>
    public double Score(Tensor image)
    {
        using var analysis = Analyse(Gray(image));
        return analysis.Score;
    }

    /// <summary>Every step of NIQE on a luma image [H, W] (float64, 0..255); takes ownership of <paramref name="gray"/>.</summary>
    /// <exception cref="InvalidInputException">The image is smaller than one 96x96 block.</exception>
    public NiqeAnalysis Analyse(Tensor gray)
    {
        ArgumentNullException.ThrowIfNull(gray);
        var (height, width) = (gray.shape[0], gray.shape[1]);
        if (!Fits(height, width))
        {
            gray.Dispose();
            throw new InvalidInputException($"NIQE needs at least one {BlockSize}x{BlockSize} block, got a {width}x{height} frame (pyiqa fails on it as well).");
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var rows = height / BlockSize;
        var columns = width / BlockSize;
        var image = gray.narrow(0, 0, rows * BlockSize).narrow(1, 0, columns * BlockSize);
        var normalizedFull = Normalize(image);
        var featuresFull = BlockFeatures(normalizedFull, rows, columns, BlockSize);

        // The second scale: MATLAB imresize by one half of the [0, 1] image, in float32.
        var half = MatlabResize.Half(image.DividedBy(255.0)).to(float64).Times(255.0);
        var normalizedHalf = Normalize(half);
        var featuresHalf = BlockFeatures(normalizedHalf, rows, columns, BlockSize / 2);

        var features = cat([featuresFull, featuresHalf], 1);
        var mean = NanMean(features);
        var covariance = NanCovariance(features);
        var inverse = linalg.pinv(pristineCovariance.Plus(covariance).DividedBy(2.0));
        var difference = (pristineMean - mean).view(1, 1, -1);
        var quality = difference.matmul(inverse.unsqueeze(0)).matmul(difference.transpose(1, 2)).squeeze().sqrt();
        var score = quality.item<double>();
        return new NiqeAnalysis(
            gray.MoveToOuterDisposeScope(),
            [normalizedFull.MoveToOuterDisposeScope(), normalizedHalf.MoveToOuterDisposeScope()],
            half.MoveToOuterDisposeScope(),
            features.MoveToOuterDisposeScope(),
            mean.MoveToOuterDisposeScope(),
            covariance.MoveToOuterDisposeScope(),
            inverse.MoveToOuterDisposeScope(),
            score);
    }

    /// <summary>Frees the tables.</summary>
    public void Dispose()
    {
        window.Dispose();
        shapes.Dispose();
        ratios.Dispose();
        pristineMean.Dispose();
        pristineCovariance.Dispose();
    }

    /// <summary>
    /// One AGGD fit per block of <paramref name="blocks"/> [N, 1, h, w]: the shape alpha (from the table, by the
    /// moment ratio), and the left and right scales; each [N].
    /// </summary>
    internal (Tensor Alpha, Tensor Left, Tensor Right) FitAggd(Tensor blocks)
    {
        using var scope = NewDisposeScope();
        long[] plane = [-1, -2];
        var negative = blocks.lt(ScalarCache.Of(0));
        var positive = blocks.gt(ScalarCache.Of(0));
        var leftCount = negative.sum(plane, type: float32);
        var rightCount = positive.sum(plane, type: float32);
        var leftStd = (blocks * negative).Power(2).sum(plane).div(leftCount).sqrt();
        var rightStd = (blocks * positive).Power(2).sum(plane).div(rightCount).sqrt();
        var gammaHat = leftStd / rightStd;
        var rHat = blocks.abs().mean(plane).Power(2) / blocks.Power(2).mean(plane);
        var rHatNorm = rHat * gammaHat.Power(3).Plus(1) * gammaHat.Plus(1) / gammaHat.Power(2).Plus(1).Power(2);
        var position = (ratios.unsqueeze(0) - rHatNorm).abs().argmin(-1);
        var alpha = shapes.index_select(0, position.flatten());
        var scale = (GammaTable.Over(1, alpha).lgamma() - GammaTable.Over(3, alpha).lgamma()).exp().sqrt();
        return (alpha.MoveToOuterDisposeScope(), (leftStd.squeeze(-1) * scale).MoveToOuterDisposeScope(), (rightStd.squeeze(-1) * scale).MoveToOuterDisposeScope());
    }

    // numpy's pairwise summation for up to 128 values: eight interleaved partial sums, combined as a tree, then the tail.
    private static double PairwiseSum(double[] values)
    {
        if (values.Length < 8)
        {
            return values.Aggregate(0.0, (a, v) => a + v);
        }

        var partial = new double[8];
        Array.Copy(values, partial, 8);
        var whole = values.Length - (values.Length % 8);
        for (var i = 8; i < whole; i += 8)
        {
            for (var j = 0; j < 8; j++)
            {
                partial[j] += values[i + j];
            }
        }

        var sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
        for (var i = whole; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }

    private static Tensor NanMean(Tensor features)
    {
        using var scope = NewDisposeScope();
        var missing = features.isnan();
        var kept = features.masked_fill(missing, ScalarCache.Of(0.0));
        var counts = missing.logical_not().to(float32).sum([0]);
        return kept.sum([0]).div(counts).MoveToOuterDisposeScope();
    }

    private static Tensor NanCovariance(Tensor features)
    {
        using var scope = NewDisposeScope();
        var complete = features.isnan().any(1).logical_not();
        var rows = features.index_select(0, complete.nonzero().flatten());
        var correction = rows.shape[0] > 1 ? 1 : 0;
        return cov(rows.t(), correction: correction).MoveToOuterDisposeScope();
    }

    private Tensor Normalize(Tensor image)
    {
        using var scope = NewDisposeScope();
        var x = image.unsqueeze(0).unsqueeze(0);
        var mu = nn.functional.conv2d(nn.functional.pad(x, [3, 3, 3, 3], PaddingModes.Replicate), window);
        var second = nn.functional.conv2d(nn.functional.pad(x.Power(2), [3, 3, 3, 3], PaddingModes.Replicate), window);
        var sigma = (second - mu.Power(2)).abs().Plus(MachineEpsilon).sqrt();
        return ((x - mu) / sigma.Plus(1)).squeeze(0).squeeze(0).MoveToOuterDisposeScope();
    }

    private Tensor BlockFeatures(Tensor normalized, long rows, long columns, int side)
    {
        using var scope = NewDisposeScope();
        var blocks = new List<Tensor>();
        for (var c = 0; c < columns; c++)
        {
            for (var r = 0; r < rows; r++)
            {
                blocks.Add(normalized.narrow(0, r * side, side).narrow(1, c * side, side));
            }
        }

        var batch = stack(blocks).unsqueeze(1);
        var (alpha, left, right) = FitAggd(batch);
        var features = new List<Tensor> { alpha, left.Plus(right).DividedBy(2.0) };
        foreach (var (dy, dx) in Shifts)
        {
            var products = batch * batch.roll([dy, dx], [2, 3]);
            var (a, l, r) = FitAggd(products);
            var mean = (r - l) * (GammaTable.Over(2, a).lgamma() - GammaTable.Over(1, a).lgamma()).exp();
            features.AddRange([a, mean, l, r]);
        }

        return stack(features, 1).MoveToOuterDisposeScope();
    }
}
