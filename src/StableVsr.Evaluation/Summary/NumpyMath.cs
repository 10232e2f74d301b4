namespace StableVsr.Evaluation.Summary;

/// <summary>
/// The two numpy operations eval.py's summary uses, reproduced exactly so the printed digits agree: <c>np.mean</c> of a
/// float64 list (0 plus numpy's pairwise sum with eight accumulators, divided by the count) and <c>np.round</c>
/// (multiply by 10^d, round half to even, divide).
/// </summary>
internal static class NumpyMath
{
    private const int BlockSize = 128;

    /// <summary><c>np.mean(values)</c>; NaN for an empty list, as numpy gives (with a warning eval.py suppresses).</summary>
    public static double Mean(IReadOnlyList<double> values) =>
        values.Count == 0 ? double.NaN : (0.0 + PairwiseSum(values, 0, values.Count)) / values.Count;

    /// <summary><c>np.round(value, decimals)</c> for decimals >= 0.</summary>
    public static double Round(double value, int decimals)
    {
        var factor = Math.Pow(10, decimals);
        return Math.Round(value * factor, MidpointRounding.ToEven) / factor;
    }

    private static double PairwiseSum(IReadOnlyList<double> a, int start, int n)
    {
        if (n < 8)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
            {
                sum += a[start + i];
            }

            return sum;
        }

        if (n <= BlockSize)
        {
            Span<double> r = stackalloc double[8];
            for (var j = 0; j < 8; j++)
            {
                r[j] = a[start + j];
            }

            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (var j = 0; j < 8; j++)
                {
                    r[j] += a[start + i + j];
                }
            }

            var result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                result += a[start + i];
            }

            return result;
        }

        var half = n / 2;
        half -= half % 8;
        return PairwiseSum(a, start, half) + PairwiseSum(a, start + half, n - half);
    }
}
