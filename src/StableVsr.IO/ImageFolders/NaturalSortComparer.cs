namespace StableVsr.IO;

/// <summary>
/// Orders names the way people number frames: digit runs compare by value ("frame2" before "frame10"), other
/// characters case-insensitively, and ties fall back to ordinal order so the result is total and stable.
/// </summary>
internal sealed class NaturalSortComparer : IComparer<string>
{
    /// <summary>The shared instance.</summary>
    public static NaturalSortComparer Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var (startX, startY) = (i, j);
                while (i < x.Length && char.IsAsciiDigit(x[i]))
                {
                    i++;
                }

                while (j < y.Length && char.IsAsciiDigit(y[j]))
                {
                    j++;
                }

                // Compare digit runs by value without parsing, so runs longer than any integer type still work.
                var digitsX = x.AsSpan(startX, i - startX).TrimStart('0');
                var digitsY = y.AsSpan(startY, j - startY).TrimStart('0');
                var byValue = digitsX.Length != digitsY.Length
                    ? digitsX.Length.CompareTo(digitsY.Length)
                    : digitsX.SequenceCompareTo(digitsY);
                if (byValue != 0)
                {
                    return byValue;
                }

                continue;
            }

            var byChar = char.ToUpperInvariant(x[i]).CompareTo(char.ToUpperInvariant(y[j]));
            if (byChar != 0)
            {
                return byChar;
            }

            i++;
            j++;
        }

        var byRest = (x.Length - i).CompareTo(y.Length - j);
        return byRest != 0 ? byRest : string.CompareOrdinal(x, y);
    }
}
