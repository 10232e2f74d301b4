using System.IO.Compression;
using System.Text;
using StableVsr.Evaluation.Weights;
using StableVsr.Models.Clip;

namespace StableVsr.Evaluation.Metrics.ClipIqa;

/// <summary>
/// CLIP-IQA's antonym prompts (Wang, Chan and Loy, AAAI 2023), as pyiqa 0.1.7 assembles five pairs (good/bad,
/// sharp/blurry image, sharp/blurry edges, high/low resolution, noise-free/noisy), and <c>clip.tokenize</c>:
/// start token, BPE ids, end token, zeros up to 77 positions.
/// </summary>
internal static class ClipPrompts
{
    /// <summary>The prompts in pairs, the positive one first.</summary>
    public static IReadOnlyList<string> Pairs { get; } =
    [
        "Good image", "bad image",
        "Sharp image", "blurry image",
        "sharp edges", "blurry edges",
        "High resolution image", "low resolution image",
        "Noise-free image", "noisy image",
    ];

    private static readonly Lazy<ClipTokenizer> Tokenizer = new(Load);

    /// <summary><c>clip.tokenize(texts)</c>: [texts x <paramref name="length"/>] ids, zero padded (int32 values).</summary>
    /// <exception cref="InvalidInputException">A text is longer than <paramref name="length"/> tokens (clip.tokenize refuses it too).</exception>
    public static int[][] Tokenize(IReadOnlyList<string> texts, int length = 77)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var tokenizer = Tokenizer.Value;
        return texts.Select(text =>
        {
            var tokens = tokenizer.Tokenize(text);
            if (tokens.Count + 2 > length)
            {
                throw new InvalidInputException($"'{text}' is {tokens.Count} tokens, longer than CLIP's context of {length}.");
            }

            var ids = new int[length];
            var encoded = tokenizer.Encode(text);
            Array.Copy(encoded, ids, tokens.Count + 2);
            return ids;
        }).ToArray();
    }

    private static ClipTokenizer Load()
    {
        using var stream = EmbeddedWeights.Open(NoReferenceWeights.ClipBpeResource);
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var lines = reader.ReadToEnd().Split('\n').Skip(1).Where(l => l.Length > 0);
        return ClipTokenizer.FromOpenAiMerges(lines.Select(l =>
        {
            var parts = l.Split(' ');
            return (parts[0], parts[1]);
        }));
    }
}
