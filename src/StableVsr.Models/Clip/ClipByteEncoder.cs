using System.Text;

namespace StableVsr.Models.Clip;

/// <summary>
/// GPT-2/CLIP's reversible byte-to-character map: printable Latin-1 bytes map to themselves, the other 68 bytes
/// to U+0100 onwards, so BPE works on UTF-8 bytes while vocab entries stay printable text.
/// </summary>
internal static class ClipByteEncoder
{
    private static readonly char[] Map = BuildMap();

    /// <summary>The character byte <paramref name="value"/> is written as.</summary>
    public static char Symbol(int value) => Map[value];

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, each written as its mapped character.</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = Map[bytes[i]];
        }

        return new string(chars);
    }

    private static char[] BuildMap()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is (>= '!' and <= '~') or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }

        return map;
    }
}
