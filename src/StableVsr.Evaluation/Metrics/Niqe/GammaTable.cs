using StableVsr.Tensors;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Niqe;

/// <summary>
/// The shape parameters an AGGD fit chooses from (0.2 to 10 in steps of 0.001, 9801 values) and their ratio
/// function r(g) = Γ(2/g)² / (Γ(1/g) Γ(3/g)). The values are those of PyTorch's float32 <c>arange(0.2, 10.001, 0.001)</c>
/// on an AVX2 CPU (the reference), promoted to float64: the fit is an argmin over this table, so its last bits decide
/// scores to 1e-4.
/// </summary>
internal static class GammaTable
{
    /// <summary>Entries of the table.</summary>
    public const int Count = 9801;

    // PyTorch's vectorised arange: 8 float32 lanes from one float32 base, two vectors per step of its loop (so the
    // vectorised part is a multiple of 16), the tail element by element.
    private const int Lanes = 8;
    private const int LoopStep = 2 * Lanes;
    private const double Start = 0.2;
    private const double Step = 0.001;

    private static readonly Lazy<double[]> SharedShapes = new(BuildShapes);

    /// <summary>The shapes g, ascending.</summary>
    public static IReadOnlyList<double> Shapes => SharedShapes.Value;

    /// <summary>The shapes g as a float64 tensor [9801].</summary>
    public static Tensor ShapeTensor(Device device) => tensor(SharedShapes.Value, float64, device);

    /// <summary>r(g) = exp(2 lnΓ(2/g) - (lnΓ(1/g) + lnΓ(3/g))) in float64, [9801].</summary>
    public static Tensor Ratios(Tensor shapes)
    {
        using var scope = NewDisposeScope();
        var two = Over(2, shapes).lgamma().Times(2);
        var one = Over(1, shapes).lgamma();
        var three = Over(3, shapes).lgamma();
        return (two - one.Plus(three)).exp().MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="numerator"/> / <paramref name="denominator"/>, element-wise and correctly rounded (not numerator x 1/d).</summary>
    public static Tensor Over(double numerator, Tensor denominator)
    {
        using var numerators = full_like(denominator, ScalarCache.Of(numerator));
        return numerators.div(denominator);
    }

    private static double[] BuildShapes()
    {
        var shapes = new double[Count];
        var vectorised = Count / LoopStep * LoopStep;
        for (var i = 0; i < Count; i++)
        {
            if (i < vectorised)
            {
                var block = i / Lanes * Lanes;
                var lane = i % Lanes;
                double baseValue = (float)(Start + (Step * block));
                shapes[i] = (float)(baseValue + (lane * Step));
            }
            else
            {
                shapes[i] = (float)(Start + (Step * i));
            }
        }

        return shapes;
    }
}
