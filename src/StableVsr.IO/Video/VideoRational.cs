using System.Globalization;

namespace StableVsr.IO;

/// <summary>
/// A ratio of two integers as FFmpeg writes frame rates and time bases ("30000/1001"), kept exact instead of rounded to
/// a floating-point number.
/// </summary>
/// <param name="Numerator">The numerator.</param>
/// <param name="Denominator">The denominator.</param>
public readonly record struct VideoRational(int Numerator, int Denominator)
{
    /// <summary>Whether both parts are positive (a usable frame rate or time base).</summary>
    public bool IsPositive => Numerator > 0 && Denominator > 0;

    /// <summary>The value as a double (0 when the denominator is 0).</summary>
    public double ToDouble() => Denominator == 0 ? 0 : (double)Numerator / Denominator;

    /// <summary>The value as FFmpeg writes it: "numerator/denominator".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Numerator}/{Denominator}");

    /// <summary>Parses FFmpeg's "n/d" (or a whole number); false for anything else.</summary>
    internal static bool TryParse(string? text, out VideoRational value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Split('/', ':');
        if (parts.Length == 1 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
        {
            value = new VideoRational(whole, 1);
            return true;
        }

        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var numerator)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var denominator))
        {
            value = new VideoRational(numerator, denominator);
            return true;
        }

        return false;
    }
}
