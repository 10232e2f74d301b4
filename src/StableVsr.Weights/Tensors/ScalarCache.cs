using System.Collections.Concurrent;
using TorchSharp;

namespace StableVsr.Tensors;

/// <summary>
/// Long-lived TorchSharp <see cref="Scalar"/>s for the constants our tensor code uses (0.5, 2, 1 as alpha, a config's
/// scaling factor). A Scalar owns a native value that its finalizer frees and no dispose scope tracks it, so the
/// temporary Scalar an implicit conversion builds (<c>x.mul(0.5)</c>) can be freed by a collection while libtorch still
/// reads it (analyzer SVSR001). The Scalars here are held for the life of the process and never disposed.
/// </summary>
/// <remarks>
/// For values fixed by code or configuration only: every distinct value stays cached. A value that changes from call to
/// call (a learning rate, a per-step coefficient) is held with <c>using var s = value.ToScalar();</c> instead.
/// The Scalar keeps the .NET type of the value, as TorchSharp's implicit conversions do: an int stays an integer Scalar
/// (so integer tensors keep their dtype), a float becomes the same double Scalar TorchSharp builds for it.
/// </remarks>
internal static class ScalarCache
{
    private enum Kind : byte
    {
        Int64,
        Float64,
    }

    private static readonly ConcurrentDictionary<(Kind, long), Scalar> Cached = new();

    /// <summary>The held Scalar of <paramref name="value"/> (an integer Scalar, as TorchSharp's conversion of an int).</summary>
    public static Scalar Of(int value) => Of((long)value);

    /// <summary>The held Scalar of <paramref name="value"/> (an integer Scalar).</summary>
    public static Scalar Of(long value) => Cached.GetOrAdd((Kind.Int64, value), static key => key.Item2.ToScalar());

    /// <summary>The held Scalar of <paramref name="value"/> (a floating Scalar), keyed by its exact bits so -0.0 and NaNs stay apart.</summary>
    public static Scalar Of(double value) =>
        Cached.GetOrAdd((Kind.Float64, BitConverter.DoubleToInt64Bits(value)), static key => BitConverter.Int64BitsToDouble(key.Item2).ToScalar());
}
