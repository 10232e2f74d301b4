using System.Globalization;
using System.Text;

namespace StableVsr.Models.Clip;

/// <summary>
/// CLIP's word splitter, the case-insensitive pattern
/// <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>,
/// matched over code points as Python's <c>regex</c> module does (.NET's Regex classifies UTF-16 code units,
/// which splits letters outside the BMP differently).
/// </summary>
internal static class ClipPreTokenizer
{
    /// <summary>The literal special tokens CLIP's pattern keeps whole.</summary>
    public static readonly string[] PatternSpecialTokens = ["<|startoftext|>", "<|endoftext|>"];

    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    /// <summary>The pattern's matches in <paramref name="text"/>, left to right.</summary>
    public static IEnumerable<string> Split(string text)
    {
        var runes = text.EnumerateRunes().ToArray();
        var i = 0;
        while (i < runes.Length)
        {
            var length = MatchAt(runes, i);
            if (length == 0)
            {
                i++;
                continue;
            }

            var piece = new StringBuilder();
            for (var k = i; k < i + length; k++)
            {
                piece.Append(runes[k].ToString());
            }

            yield return piece.ToString();
            i += length;
        }
    }

    // Length in runes of the first alternative that matches at `start` (0 when none does, i.e. whitespace).
    private static int MatchAt(Rune[] runes, int start)
    {
        foreach (var literal in PatternSpecialTokens)
        {
            if (MatchesIgnoringCase(runes, start, literal))
            {
                return literal.Length;
            }
        }

        foreach (var literal in Contractions)
        {
            if (MatchesIgnoringCase(runes, start, literal))
            {
                return literal.Length;
            }
        }

        var first = runes[start];
        if (IsLetter(first))
        {
            var end = start + 1;
            while (end < runes.Length && IsLetter(runes[end]))
            {
                end++;
            }

            return end - start;
        }

        if (IsNumber(first))
        {
            return 1;
        }

        if (IsSpace(first))
        {
            return 0;
        }

        var stop = start + 1;
        while (stop < runes.Length && !IsSpace(runes[stop]) && !IsLetter(runes[stop]) && !IsNumber(runes[stop]))
        {
            stop++;
        }

        return stop - start;
    }

    // The literals are ASCII; under IGNORECASE the only non-ASCII character that folds onto one of their letters
    // is the long s (U+017F), which folds to 's'.
    private static bool MatchesIgnoringCase(Rune[] runes, int start, string literal)
    {
        if (start + literal.Length > runes.Length)
        {
            return false;
        }

        for (var k = 0; k < literal.Length; k++)
        {
            var value = runes[start + k].Value;
            var folded = value == 0x017F ? 's' : value is >= 'A' and <= 'Z' ? value + ('a' - 'A') : value;
            if (folded != literal[k])
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLetter(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
        or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter;

    private static bool IsNumber(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.DecimalDigitNumber
        or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    private static bool IsSpace(Rune rune) => ClipBasicTokenizer.IsPythonWhitespace(rune.Value);
}
