using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Tensors;

/// <summary>
/// Tensor arithmetic with the Scalars held (<see cref="ScalarCache"/>), in place of the TorchSharp operators and
/// overloads that build a temporary Scalar the collector may free during the native call (SVSR001): <c>a + b</c> is
/// <c>a.add(b, 1)</c> with a temporary 1, <c>x * 0.5</c> converts 0.5 to a temporary. Each method makes exactly the
/// libtorch call the operator it replaces makes, so results are bit-identical.
/// </summary>
internal static class TensorArithmetic
{
    /// <summary><c>tensor + other</c>.</summary>
    public static Tensor Plus(this Tensor tensor, Tensor other) => tensor.add(other, ScalarCache.Of(1));

    /// <summary><c>tensor + value</c>.</summary>
    public static Tensor Plus(this Tensor tensor, long value) => tensor.add(ScalarCache.Of(value), ScalarCache.Of(1));

    /// <summary><c>tensor + value</c>.</summary>
    public static Tensor Plus(this Tensor tensor, double value) => tensor.add(ScalarCache.Of(value), ScalarCache.Of(1));

    /// <summary><c>tensor - value</c>.</summary>
    public static Tensor Minus(this Tensor tensor, long value) => tensor.sub(ScalarCache.Of(value));

    /// <summary><c>tensor - value</c>.</summary>
    public static Tensor Minus(this Tensor tensor, double value) => tensor.sub(ScalarCache.Of(value));

    /// <summary><c>value - tensor</c> (computed as TorchSharp does: <c>-tensor + value</c>).</summary>
    public static Tensor SubtractedFrom(this Tensor tensor, long value) => tensor.negative().add(ScalarCache.Of(value), ScalarCache.Of(1));

    /// <summary><c>value - tensor</c> (computed as TorchSharp does: <c>-tensor + value</c>).</summary>
    public static Tensor SubtractedFrom(this Tensor tensor, double value) => tensor.negative().add(ScalarCache.Of(value), ScalarCache.Of(1));

    /// <summary><c>tensor * value</c>.</summary>
    public static Tensor Times(this Tensor tensor, long value) => tensor.mul(ScalarCache.Of(value));

    /// <summary><c>tensor * value</c>.</summary>
    public static Tensor Times(this Tensor tensor, double value) => tensor.mul(ScalarCache.Of(value));

    /// <summary><c>tensor / value</c>.</summary>
    public static Tensor DividedBy(this Tensor tensor, long value) => tensor.div(ScalarCache.Of(value));

    /// <summary><c>tensor / value</c>.</summary>
    public static Tensor DividedBy(this Tensor tensor, double value) => tensor.div(ScalarCache.Of(value));

    /// <summary><c>tensor.pow(exponent)</c>.</summary>
    public static Tensor Power(this Tensor tensor, long exponent) => tensor.pow(ScalarCache.Of(exponent));

    /// <summary><c>tensor.pow(exponent)</c>.</summary>
    public static Tensor Power(this Tensor tensor, double exponent) => tensor.pow(ScalarCache.Of(exponent));

    /// <summary><c>torch.arange(start, stop, step)</c> of integers (int64 unless <paramref name="dtype"/> says otherwise).</summary>
    public static Tensor Arange(long start, long stop, long step = 1, ScalarType? dtype = null, Device? device = null)
    {
        // Sizes vary with the input, so they are held for the call rather than cached.
        using var first = start.ToScalar();
        using var end = stop.ToScalar();
        using var stride = step.ToScalar();
        return arange(first, end, stride, dtype, device);
    }

    /// <summary><c>torch.arange(stop)</c>: 0, 1, ..., stop - 1.</summary>
    public static Tensor Arange(long stop, ScalarType? dtype = null, Device? device = null) => Arange(0, stop, 1, dtype, device);
}
