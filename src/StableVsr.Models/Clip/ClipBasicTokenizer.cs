using System.Globalization;
using System.Text;

namespace StableVsr.Models.Clip;

/// <summary>
/// The text clean-up of transformers' slow <c>CLIPTokenizer</c> when ftfy is absent: its <c>BasicTokenizer</c>
/// with <c>strip_accents=False, do_split_on_punc=False</c>. Removes NUL, U+FFFD and control/format characters,
/// maps whitespace to spaces, puts spaces around CJK ideographs, NFC-normalises, splits on whitespace and
/// lowercases each word with Python's <c>str.lower</c> rules. Works on code points, as Python does.
/// </summary>
internal static class ClipBasicTokenizer
{
    private const int CapitalSigma = 0x03A3;
    private const int CapitalIWithDot = 0x0130;

    /// <summary>The cleaned, lowercased words of <paramref name="text"/> joined by single spaces.</summary>
    public static string Normalize(string text)
    {
        var cleaned = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD || IsControl(rune))
            {
                continue;
            }

            if (IsWhitespace(rune))
            {
                cleaned.Append(' ');
            }
            else if (IsCjk(cp))
            {
                cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            }
            else
            {
                cleaned.Append(rune.ToString());
            }
        }

        var normalized = cleaned.ToString().Normalize(NormalizationForm.FormC);
        return string.Join(' ', SplitOnPythonWhitespace(normalized).Select(PythonLower));
    }

    /// <summary>Python's <c>str.isspace</c>: the characters <c>str.split()</c> splits on.</summary>
    public static bool IsPythonWhitespace(int cp) => cp switch
    {
        >= 0x09 and <= 0x0D => true,
        >= 0x1C and <= 0x20 => true,
        0x85 or 0xA0 or 0x1680 or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        >= 0x2000 and <= 0x200A => true,
        _ => false,
    };

    // BasicTokenizer._is_whitespace: space, tab, newline, carriage return, or any Zs character.
    private static bool IsWhitespace(Rune rune) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator;

    // BasicTokenizer._is_control: every "C*" category (control, format, surrogate, private use, unassigned)
    // except tab, newline and carriage return, which count as whitespace.
    private static bool IsControl(Rune rune)
    {
        if (rune.Value is '\t' or '\n' or '\r')
        {
            return false;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
    }

    // BasicTokenizer._is_chinese_char: the CJK Unified Ideographs blocks (not kana or hangul).
    private static bool IsCjk(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);

    private static IEnumerable<string> SplitOnPythonWhitespace(string text)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsPythonWhitespace(rune.Value))
            {
                if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }
            }
            else
            {
                word.Append(rune.ToString());
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    // Python's str.lower: the simple lowercase mapping, plus the two full mappings that differ from it (capital I
    // with dot above becomes "i" + combining dot; capital sigma becomes final sigma at the end of a word).
    private static string PythonLower(string word)
    {
        var runes = word.EnumerateRunes().ToArray();
        var lowered = new StringBuilder(word.Length);
        for (var i = 0; i < runes.Length; i++)
        {
            var rune = runes[i];
            if (rune.Value == CapitalIWithDot)
            {
                lowered.Append("i\u0307");
            }
            else if (rune.Value == CapitalSigma)
            {
                lowered.Append(IsFinalSigma(runes, i) ? 'ς' : 'σ');
            }
            else
            {
                lowered.Append(Rune.ToLowerInvariant(rune).ToString());
            }
        }

        return lowered.ToString();
    }

    // Unicode's Final_Sigma condition as CPython applies it: a cased letter before (skipping case-ignorable
    // characters) and none after.
    private static bool IsFinalSigma(Rune[] runes, int index)
    {
        var before = index - 1;
        while (before >= 0 && IsCaseIgnorable(runes[before]))
        {
            before--;
        }

        if (before < 0 || !IsCased(runes[before]))
        {
            return false;
        }

        var after = index + 1;
        while (after < runes.Length && IsCaseIgnorable(runes[after]))
        {
            after++;
        }

        return after == runes.Length || !IsCased(runes[after]);
    }

    private static bool IsCased(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune rune) =>
        rune.Value is '\'' or '.' or ':' or 0x00B7 or 0x0387 or 0x055F or 0x05F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
}
