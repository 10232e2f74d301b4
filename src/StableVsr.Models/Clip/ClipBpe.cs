namespace StableVsr.Models.Clip;

/// <summary>
/// CLIP's byte-pair encoding of one pre-tokenized, byte-encoded word: the last symbol carries the end-of-word
/// marker <c>&lt;/w&gt;</c>, and the lowest-ranked adjacent pair is merged everywhere until no ranked pair remains.
/// </summary>
internal sealed class ClipBpe
{
    /// <summary>Marker appended to the last symbol of a word.</summary>
    public const string EndOfWord = "</w>";

    private readonly Dictionary<(string, string), int> ranks;

    /// <summary>Creates the encoder from merges in priority order.</summary>
    public ClipBpe(IEnumerable<(string First, string Second)> merges)
    {
        ranks = new Dictionary<(string, string), int>();
        var rank = 0;
        foreach (var merge in merges)
        {
            // A repeated pair keeps its last rank, as Python's dict(zip(merges, range(n))) does.
            ranks[merge] = rank++;
        }
    }

    /// <summary>Number of merges.</summary>
    public int MergeCount => ranks.Count;

    /// <summary>The BPE symbols of <paramref name="word"/> (a non-empty byte-encoded word).</summary>
    public IReadOnlyList<string> Encode(string word)
    {
        var symbols = new List<string>(word.Length);
        for (var i = 0; i < word.Length - 1; i++)
        {
            symbols.Add(word[i].ToString());
        }

        symbols.Add(word[^1] + EndOfWord);
        while (symbols.Count > 1)
        {
            var best = BestPair(symbols);
            if (best is null)
            {
                break;
            }

            symbols = MergeAll(symbols, best.Value.First, best.Value.Second);
        }

        return symbols;
    }

    private (string First, string Second)? BestPair(List<string> symbols)
    {
        (string, string)? best = null;
        var bestRank = int.MaxValue;
        for (var i = 0; i < symbols.Count - 1; i++)
        {
            if (ranks.TryGetValue((symbols[i], symbols[i + 1]), out var rank) && rank < bestRank)
            {
                bestRank = rank;
                best = (symbols[i], symbols[i + 1]);
            }
        }

        return best;
    }

    private static List<string> MergeAll(List<string> symbols, string first, string second)
    {
        var merged = new List<string>(symbols.Count);
        var i = 0;
        while (i < symbols.Count)
        {
            if (i < symbols.Count - 1 && symbols[i] == first && symbols[i + 1] == second)
            {
                merged.Add(first + second);
                i += 2;
            }
            else
            {
                merged.Add(symbols[i]);
                i++;
            }
        }

        return merged;
    }
}
