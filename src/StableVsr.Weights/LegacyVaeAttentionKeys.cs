namespace StableVsr.Weights;

/// <summary>
/// The one documented rename between checkpoint keys and module names: VAE checkpoints written by diffusers
/// before 0.14 name the attention projections of their mid block <c>query</c>, <c>key</c>, <c>value</c> and
/// <c>proj_attn</c>; current diffusers (and StableVsr's modules) call them <c>to_q</c>, <c>to_k</c>, <c>to_v</c>
/// and <c>to_out.0</c>. The tensors are the same linear layers, so only the key changes.
/// </summary>
internal static class LegacyVaeAttentionKeys
{
    private static readonly (string Legacy, string Current)[] Renames =
    [
        (".query.", ".to_q."),
        (".key.", ".to_k."),
        (".value.", ".to_v."),
        (".proj_attn.", ".to_out.0."),
    ];

    /// <summary>
    /// Maps a legacy attention key to its current name
    /// (<c>encoder.mid_block.attentions.0.query.weight</c> to <c>encoder.mid_block.attentions.0.to_q.weight</c>);
    /// every other key is returned unchanged.
    /// </summary>
    public static string Map(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryMap(key, out var mapped) ? mapped : key;
    }

    /// <summary>Maps a legacy attention key; false (and <paramref name="mapped"/> = <paramref name="key"/>) for any other key.</summary>
    public static bool TryMap(string key, out string mapped)
    {
        ArgumentNullException.ThrowIfNull(key);
        mapped = key;
        if (!key.Contains(".attentions.", StringComparison.Ordinal))
        {
            return false;
        }

        // Only the last module name of the path is renamed, so a block that happens to be called "key" higher
        // up is left alone.
        var lastDot = key.LastIndexOf('.');
        var previousDot = lastDot > 0 ? key.LastIndexOf('.', lastDot - 1) : -1;
        if (previousDot < 0)
        {
            return false;
        }

        var tail = key[previousDot..(lastDot + 1)];
        foreach (var (legacy, current) in Renames)
        {
            if (tail == legacy)
            {
                mapped = key[..previousDot] + current + key[(lastDot + 1)..];
                return true;
            }
        }

        return false;
    }
}
