using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Weights;
using static TorchSharp.torch;

namespace StableVsr.Models.Clip;

/// <summary>
/// CLIP's BPE tokenizer, behaving as transformers' slow <c>CLIPTokenizer</c> without ftfy (the setup of the
/// Stable Diffusion pipelines StableVSR runs): special tokens are cut out first, the rest is cleaned by
/// <c>BasicTokenizer</c>, split by CLIP's pattern and byte-pair encoded; ids get begin/end-of-text tokens and are
/// truncated and padded to <see cref="ModelMaxLength"/> (77) with the pad token.
/// </summary>
/// <remarks>
/// Every special token of the folder is unsplittable when typed in a prompt, the pad token included. With
/// Stable Diffusion 2's files the pad token is "!", so a typed "!" becomes the pad id 0 (vocab entry "!") instead
/// of the word-final "!&lt;/w&gt;" (256) plain BPE would give. That is what the reference tokenizer does, and the
/// text encoder was trained and used with those ids, so this port keeps it.
/// </remarks>
internal sealed partial class ClipTokenizer
{
    // transformers' CLIPTokenizer reads only the first 49152 - 256 - 2 merges, the ones CLIP's vocabulary holds.
    private const int MaxMerges = 49152 - 256 - 2;
    private const int DefaultModelMaxLength = 77;

    private readonly Dictionary<string, int> vocab;
    private readonly ClipBpe bpe;
    private readonly string[] unsplittable;

    private ClipTokenizer(Dictionary<string, int> vocab, ClipBpe bpe, string bos, string eos, string unk, string pad, int modelMaxLength)
    {
        this.vocab = vocab;
        this.bpe = bpe;
        BosToken = bos;
        EosToken = eos;
        UnkToken = unk;
        PadToken = pad;
        ModelMaxLength = modelMaxLength;

        // Special tokens missing from vocab.json are appended after it, as transformers adds them.
        foreach (var token in new[] { bos, eos, unk, pad })
        {
            vocab.TryAdd(token, vocab.Count);
        }

        unsplittable = new[] { bos, eos, unk, pad }.Distinct(StringComparer.Ordinal).OrderByDescending(t => t.Length).ToArray();
    }

    /// <summary>Length every encoded sequence is truncated and padded to.</summary>
    public int ModelMaxLength { get; }

    /// <summary>Begin-of-text token.</summary>
    public string BosToken { get; }

    /// <summary>End-of-text token.</summary>
    public string EosToken { get; }

    /// <summary>Token used for pieces missing from the vocabulary.</summary>
    public string UnkToken { get; }

    /// <summary>Padding token.</summary>
    public string PadToken { get; }

    /// <summary>Id of <see cref="BosToken"/>.</summary>
    public int BosTokenId => vocab[BosToken];

    /// <summary>Id of <see cref="EosToken"/>.</summary>
    public int EosTokenId => vocab[EosToken];

    /// <summary>Id of <see cref="UnkToken"/>.</summary>
    public int UnkTokenId => vocab[UnkToken];

    /// <summary>Id of <see cref="PadToken"/>.</summary>
    public int PadTokenId => vocab[PadToken];

    /// <summary>Number of entries of the vocabulary, special tokens included.</summary>
    public int VocabSize => vocab.Count;

    /// <summary>
    /// Reads a tokenizer folder: <c>vocab.json</c>, <c>merges.txt</c>, and the special tokens and
    /// <c>model_max_length</c> from <c>special_tokens_map.json</c> / <c>tokenizer_config.json</c> when present
    /// (CLIP's defaults otherwise: "&lt;|startoftext|&gt;", "&lt;|endoftext|&gt;" for end, unknown and padding, 77).
    /// </summary>
    /// <exception cref="ModelLoadException">A file is missing or malformed.</exception>
    public static ClipTokenizer FromFolder(string folder, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        logger ??= NullLogger.Instance;
        if (!Directory.Exists(folder))
        {
            throw new ModelLoadException($"Tokenizer folder '{folder}' does not exist. Point to the checkpoint's tokenizer/ folder (vocab.json, merges.txt).", folder);
        }

        var vocab = ReadVocab(Path.Combine(folder, CheckpointLayout.VocabFileName));
        var merges = ReadMerges(Path.Combine(folder, CheckpointLayout.MergesFileName));
        var config = ReadJsonObject(Path.Combine(folder, CheckpointLayout.TokenizerConfigFileName));
        var map = ReadJsonObject(Path.Combine(folder, CheckpointLayout.SpecialTokensMapFileName));
        string Special(string key, string fallback) => TokenContent(map, key, folder) ?? TokenContent(config, key, folder) ?? fallback;

        var maxLength = DefaultModelMaxLength;
        if (config?["model_max_length"] is JsonValue v)
        {
            maxLength = v.TryGetValue(out long l) && l is >= 2 and <= int.MaxValue
                ? (int)l
                : throw new ModelLoadException($"tokenizer_config.json in '{folder}': model_max_length must be an integer of at least 2, got {v.ToJsonString()}.", folder);
        }

        var tokenizer = new ClipTokenizer(
            vocab,
            new ClipBpe(merges),
            Special("bos_token", "<|startoftext|>"),
            Special("eos_token", "<|endoftext|>"),
            Special("unk_token", "<|endoftext|>"),
            Special("pad_token", "<|endoftext|>"),
            maxLength);
        LogLoaded(logger, folder, tokenizer.VocabSize, tokenizer.bpe.MergeCount, tokenizer.PadToken, tokenizer.PadTokenId, tokenizer.ModelMaxLength);
        return tokenizer;
    }

    /// <summary>
    /// The tokenizer of OpenAI's CLIP package (<c>clip.tokenize</c>) from its BPE merges
    /// (<c>bpe_simple_vocab_16e6.txt</c>, without the version line): the vocabulary is the 256 byte characters, the
    /// same with the word-end mark, one entry per merge, then the two special tokens (49408 for CLIP), so it needs no
    /// vocab.json. Padding is left to the caller (<c>clip.tokenize</c> pads with zeros).
    /// </summary>
    internal static ClipTokenizer FromOpenAiMerges(IEnumerable<(string First, string Second)> merges)
    {
        ArgumentNullException.ThrowIfNull(merges);
        var kept = merges.Take(MaxMerges).ToList();
        var symbols = Enumerable.Range(0, 256).Select(ClipByteEncoder.Symbol).OrderBy(c => c).Select(c => c.ToString()).ToArray();
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in symbols.Concat(symbols.Select(s => s + "</w>")).Concat(kept.Select(m => m.First + m.Second)))
        {
            vocab.TryAdd(token, vocab.Count);
        }

        const string start = "<|startoftext|>";
        const string end = "<|endoftext|>";
        vocab.TryAdd(start, vocab.Count);
        vocab.TryAdd(end, vocab.Count);
        return new ClipTokenizer(vocab, new ClipBpe(kept), start, end, end, end, DefaultModelMaxLength);
    }

    /// <summary>The tokens of <paramref name="text"/> without begin/end tokens, truncation or padding.</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        foreach (var (segment, special) in SplitOnSpecialTokens(text))
        {
            if (special)
            {
                tokens.Add(segment);
                continue;
            }

            foreach (var word in ClipPreTokenizer.Split(ClipBasicTokenizer.Normalize(segment)))
            {
                if (ClipPreTokenizer.PatternSpecialTokens.Contains(word, StringComparer.Ordinal))
                {
                    tokens.Add(word);
                }
                else
                {
                    tokens.AddRange(bpe.Encode(ClipByteEncoder.Encode(word)));
                }
            }
        }

        return tokens;
    }

    /// <summary>
    /// The ids of <paramref name="text"/> as the pipelines feed the text encoder: begin-of-text, at most
    /// <see cref="ModelMaxLength"/> - 2 token ids, end-of-text, then pad ids up to <see cref="ModelMaxLength"/>.
    /// </summary>
    public int[] Encode(string text)
    {
        var tokens = Tokenize(text);
        var ids = new int[ModelMaxLength];
        Array.Fill(ids, PadTokenId);
        ids[0] = BosTokenId;
        var count = Math.Min(tokens.Count, ModelMaxLength - 2);
        for (var i = 0; i < count; i++)
        {
            ids[i + 1] = vocab.TryGetValue(tokens[i], out var id) ? id : UnkTokenId;
        }

        ids[count + 1] = EosTokenId;
        return ids;
    }

    /// <summary>Encodes prompts into an int64 tensor [prompts, <see cref="ModelMaxLength"/>].</summary>
    public Tensor EncodeBatch(IReadOnlyList<string> prompts, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var ids = new long[prompts.Count * ModelMaxLength];
        for (var p = 0; p < prompts.Count; p++)
        {
            var encoded = Encode(prompts[p]);
            for (var i = 0; i < encoded.Length; i++)
            {
                ids[(p * ModelMaxLength) + i] = encoded[i];
            }
        }

        return tensor(ids, [prompts.Count, ModelMaxLength], int64, device);
    }

    // transformers cuts every special token out of the text before tokenizing the pieces between them. Leading
    // or trailing whitespace left next to a special token is dropped later by BasicTokenizer, so the lstrip and
    // rstrip flags of the special tokens change nothing and are not read.
    private IEnumerable<(string Text, bool Special)> SplitOnSpecialTokens(string text)
    {
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var match = unsplittable.FirstOrDefault(t => i + t.Length <= text.Length && string.CompareOrdinal(text, i, t, 0, t.Length) == 0);
            if (match is null)
            {
                i++;
                continue;
            }

            if (i > start)
            {
                yield return (text[start..i], false);
            }

            yield return (match, true);
            i += match.Length;
            start = i;
        }

        if (start < text.Length)
        {
            yield return (text[start..], false);
        }
    }

    private static Dictionary<string, int> ReadVocab(string path)
    {
        var root = ReadJsonObject(path) ?? throw new ModelLoadException($"Tokenizer vocabulary '{path}' does not exist.", path);
        var vocab = new Dictionary<string, int>(root.Count, StringComparer.Ordinal);
        foreach (var (token, value) in root)
        {
            if (value is not JsonValue v || !v.TryGetValue(out int id) || id < 0)
            {
                throw new ModelLoadException($"Tokenizer vocabulary '{path}': entry {JsonSerializer.Serialize(token)} must map to a non-negative integer id, got {value?.ToJsonString() ?? "null"}.", path);
            }

            vocab[token] = id;
        }

        return vocab;
    }

    private static List<(string, string)> ReadMerges(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"Tokenizer merges '{path}' does not exist.", path);
        }

        // The first line is the "#version" header; transformers skips it unconditionally.
        var lines = File.ReadAllText(path).Trim().Split('\n').Skip(1).Take(MaxMerges);
        var merges = new List<(string, string)>();
        var lineNumber = 1;
        foreach (var line in lines)
        {
            lineNumber++;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                throw new ModelLoadException($"Tokenizer merges '{path}', line {lineNumber}: expected two symbols separated by a space, got {JsonSerializer.Serialize(line)}.", path);
            }

            merges.Add((parts[0], parts[1]));
        }

        return merges;
    }

    private static JsonObject? ReadJsonObject(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new ModelLoadException($"Tokenizer file '{path}' must hold a JSON object.", path);
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"Tokenizer file '{path}' is not valid JSON: {e.Message}", path, e);
        }
    }

    // A special token is written either as a plain string or as an AddedToken object with its text in "content".
    private static string? TokenContent(JsonObject? root, string key, string folder)
    {
        var node = root?[key];
        var content = node switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonObject o when o["content"] is JsonValue c && c.TryGetValue(out string? s) => s,
            _ => throw new ModelLoadException($"Tokenizer files in '{folder}': {key} must be a string or an object with a \"content\" string, got {node.ToJsonString()}.", folder),
        };
        return content is { Length: 0 }
            ? throw new ModelLoadException($"Tokenizer files in '{folder}': {key} is empty.", folder)
            : content;
    }

    [LoggerMessage(EventId = LoggerEventIds.TokenizerLoaded, Level = LogLevel.Debug, Message = "CLIP tokenizer from {Folder}: {Vocab} tokens, {Merges} merges, pad {Pad} ({PadId}), max length {Max}.")]
    private static partial void LogLoaded(ILogger logger, string folder, int vocab, int merges, string pad, int padId, int max);
}
