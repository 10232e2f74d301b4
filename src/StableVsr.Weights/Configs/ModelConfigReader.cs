using System.Globalization;
using System.Text.Json.Nodes;

namespace StableVsr.Weights.Configs;

/// <summary>
/// Reading helpers shared by the diffusers model config records: values given either once or per block, and
/// keys whose only implemented value is their default (anything else is refused, never ignored).
/// </summary>
internal static class ModelConfigReader
{
    /// <summary>Refuses a config written for another diffusers class (e.g. a VAE folder given as the UNet).</summary>
    public static void RequireClassName(ConfigDocument doc, string expected)
    {
        var className = doc.GetNullableString("_class_name");
        if (className is not null && className != expected)
        {
            throw new UnsupportedConfigException("_class_name", className, doc.Source, $"This loader builds a {expected}; point it at that model's folder.");
        }
    }

    /// <summary>An integer given once for every block or as a list with one value per block.</summary>
    public static IReadOnlyList<int> PerBlockInts(ConfigDocument doc, string key, int defaultValue, int blockCount)
    {
        if (doc.GetRaw(key) is JsonArray)
        {
            var list = doc.GetIntList(key, null)!;
            RequireBlockCount(doc, key, list.Count, blockCount);
            return list;
        }

        return Enumerable.Repeat(doc.GetInt(key, defaultValue), blockCount).ToArray();
    }

    /// <summary>A boolean given once for every block or as a list with one value per block.</summary>
    public static IReadOnlyList<bool> PerBlockBools(ConfigDocument doc, string key, bool defaultValue, int blockCount)
    {
        var list = doc.GetBoolList(key, defaultValue, blockCount);
        RequireBlockCount(doc, key, list.Count, blockCount);
        return list;
    }

    /// <summary>A list that must have one entry per down block.</summary>
    public static void RequireBlockCount(ConfigDocument doc, string key, int count, int blockCount)
    {
        if (count != blockCount)
        {
            throw new ConfigException(
                $"Config '{doc.Source}': key '{key}' has {count} values; expected one per block of 'down_block_types' ({blockCount}).",
                doc.Source,
                key);
        }
    }

    /// <summary>Refuses any non-null value of a key whose feature is not implemented.</summary>
    public static void RequireNull(ConfigDocument doc, string key, string detail)
    {
        var raw = doc.GetRaw(key);
        if (raw is not null)
        {
            throw new UnsupportedConfigException(key, Describe(raw), doc.Source, detail);
        }
    }

    /// <summary>Reads an integer whose explicit null (diffusers' "switch this part off") is not implemented.</summary>
    public static int RequireNonNullInt(ConfigDocument doc, string key, int defaultValue, string detail)
    {
        if (doc.Keys.Contains(key) && !doc.Has(key))
        {
            throw new UnsupportedConfigException(key, null, doc.Source, detail);
        }

        return doc.GetInt(key, defaultValue);
    }

    /// <summary>Reads a string and refuses values outside <paramref name="allowed"/>.</summary>
    public static string RequireOneOf(ConfigDocument doc, string key, string defaultValue, IReadOnlyCollection<string> allowed, string detail)
    {
        var value = doc.GetString(key, defaultValue);
        if (!allowed.Contains(value))
        {
            throw new UnsupportedConfigException(key, value, doc.Source, detail);
        }

        return value;
    }

    /// <summary>Reads a boolean and refuses any value but <paramref name="onlyValue"/>.</summary>
    public static void RequireBool(ConfigDocument doc, string key, bool onlyValue, string detail)
    {
        var value = doc.GetBool(key, onlyValue);
        if (value != onlyValue)
        {
            throw new UnsupportedConfigException(key, value, doc.Source, detail);
        }
    }

    /// <summary>Marks keys as read whose value has no effect on the blocks StableVsr builds (diffusers ignores them too).</summary>
    public static void Ignore(ConfigDocument doc, params string[] keys)
    {
        foreach (var key in keys)
        {
            doc.GetRaw(key);
        }
    }

    private static object? Describe(JsonNode node)
    {
        if (node is JsonValue v)
        {
            if (v.TryGetValue(out string? s))
            {
                return s;
            }

            if (v.TryGetValue(out bool b))
            {
                return b;
            }

            if (v.TryGetValue(out double d))
            {
                return d.ToString(CultureInfo.InvariantCulture);
            }
        }

        return node.ToJsonString();
    }
}
