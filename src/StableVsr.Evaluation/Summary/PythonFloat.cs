using System.Globalization;

namespace StableVsr.Evaluation.Summary;

/// <summary>
/// Formats a double as Python's <c>str(float)</c> and numpy's <c>str(np.float64)</c> do: the shortest digits that read
/// back to the same value, positional from 1e-4 up to 1e16 (with ".0" for whole numbers), scientific otherwise
/// (<c>1e-05</c>, <c>1.5e+16</c>), and <c>inf</c>, <c>-inf</c>, <c>nan</c>.
/// </summary>
public static class PythonFloat
{
    /// <summary>The text Python prints for <paramref name="value"/>.</summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var sign = value < 0 || (value == 0 && double.IsNegative(value)) ? "-" : string.Empty;
        if (value == 0)
        {
            return sign + "0.0";
        }

        // .NET's "R" gives the shortest round-trip digits too; only the layout differs.
        var (digits, point) = Digits(Math.Abs(value));
        if (point <= -4 || point > 16)
        {
            var exponent = point - 1;
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        }

        if (point <= 0)
        {
            return sign + "0." + new string('0', -point) + digits;
        }

        if (point >= digits.Length)
        {
            return sign + digits + new string('0', point - digits.Length) + ".0";
        }

        return sign + digits[..point] + "." + digits[point..];
    }

    /// <summary>The shortest significant digits of <paramref name="value"/> (> 0) and where the decimal point goes (value = 0.digits × 10^point).</summary>
    private static (string Digits, int Point) Digits(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var integerPart = dot >= 0 ? text[..dot] : text;
        var fraction = dot >= 0 ? text[(dot + 1)..] : string.Empty;
        var all = integerPart + fraction;
        var point = integerPart.Length + exponent;
        var leading = all.Length - all.TrimStart('0').Length;
        all = all.TrimStart('0');
        point -= leading;
        all = all.TrimEnd('0');
        return (all.Length == 0 ? "0" : all, point);
    }
}
