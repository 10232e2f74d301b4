using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StableVsr.Weights.Configs;

/// <summary>
/// One parsed <c>config.json</c> / <c>scheduler_config.json</c>. Typed config records read their fields
/// through it: absent keys take the caller's default (diffusers' default), a wrong type or value throws a
/// <see cref="ConfigException"/> naming file, key and value, and keys nobody read are kept in
/// <see cref="UnknownKeys"/> and logged at debug level.
/// </summary>
internal sealed partial class ConfigDocument
{
    private readonly JsonObject root;
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    private ConfigDocument(JsonObject root, string source)
    {
        this.root = root;
        Source = source;
    }

    /// <summary>The file (or description) the document came from, used in error messages.</summary>
    public string Source { get; }

    /// <summary>Every key of the document.</summary>
    public IEnumerable<string> Keys => root.Select(p => p.Key);

    /// <summary>Keys not read by any typed config yet, excluding diffusers' bookkeeping keys (<c>_class_name</c>, ...).</summary>
    public IReadOnlyList<string> UnknownKeys =>
        root.Select(p => p.Key).Where(k => !read.Contains(k) && !k.StartsWith('_')).ToArray();

    /// <summary>Reads and parses a config file.</summary>
    /// <exception cref="ConfigException">The file is missing, unreadable or not a JSON object.</exception>
    public static ConfigDocument Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException($"Config file '{path}' does not exist. Check the model folder: a diffusers model needs a config.json beside its weights.", path);
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ConfigException($"Config file '{path}' cannot be read: {e.Message}", path, null, e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses config JSON text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="ConfigException">The text is not a JSON object.</exception>
    public static ConfigDocument Parse(string json, string source)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ConfigException($"Config '{source}' is not valid JSON: {e.Message}", source, null, e);
        }

        if (node is not JsonObject obj)
        {
            throw new ConfigException($"Config '{source}' must hold a JSON object at the top level.", source);
        }

        return new ConfigDocument(obj, source);
    }

    /// <summary>Whether the key is present (and not null).</summary>
    public bool Has(string key) => root.TryGetPropertyValue(key, out var v) && v is not null;

    /// <summary>Reads an integer.</summary>
    public int GetInt(string key, int defaultValue) => Get(key, defaultValue, n => ToInt(key, n));

    /// <summary>Reads an optional integer (absent or null gives null).</summary>
    public int? GetNullableInt(string key) => Get<int?>(key, null, n => ToInt(key, n));

    /// <summary>Reads a floating-point number.</summary>
    public double GetDouble(string key, double defaultValue) => Get(key, defaultValue, n => ToDouble(key, n));

    /// <summary>Reads an optional floating-point number.</summary>
    public double? GetNullableDouble(string key) => Get<double?>(key, null, n => ToDouble(key, n));

    /// <summary>Reads a boolean.</summary>
    public bool GetBool(string key, bool defaultValue) => Get(key, defaultValue, n => n is JsonValue v && v.TryGetValue(out bool b) ? b : throw WrongType(key, n, "true or false"));

    /// <summary>Reads a string.</summary>
    public string GetString(string key, string defaultValue) => Get(key, defaultValue, n => ToStringValue(key, n));

    /// <summary>Reads an optional string.</summary>
    public string? GetNullableString(string key) => Get<string?>(key, null, n => ToStringValue(key, n));

    /// <summary>Reads a list of integers; a single integer is accepted as a one-element list when <paramref name="allowScalar"/>.</summary>
    public IReadOnlyList<int>? GetIntList(string key, IReadOnlyList<int>? defaultValue, bool allowScalar = false) =>
        Get(key, defaultValue, n => n is JsonArray a
            ? a.Select(x => ToInt(key, x)).ToArray()
            : allowScalar ? new[] { ToInt(key, n) } : throw WrongType(key, n, "a list of integers"));

    /// <summary>Reads a list of floating-point numbers.</summary>
    public IReadOnlyList<double>? GetDoubleList(string key, IReadOnlyList<double>? defaultValue) =>
        Get(key, defaultValue, n => n is JsonArray a ? a.Select(x => ToDouble(key, x)).ToArray() : throw WrongType(key, n, "a list of numbers"));

    /// <summary>Reads a list of strings.</summary>
    public IReadOnlyList<string>? GetStringList(string key, IReadOnlyList<string>? defaultValue) =>
        Get(key, defaultValue, n => n is JsonArray a ? a.Select(x => ToStringValue(key, x)).ToArray() : throw WrongType(key, n, "a list of strings"));

    /// <summary>Reads a list of booleans; a single boolean is accepted and repeated <paramref name="repeat"/> times.</summary>
    public IReadOnlyList<bool> GetBoolList(string key, bool defaultValue, int repeat) =>
        Get<IReadOnlyList<bool>>(key, Enumerable.Repeat(defaultValue, repeat).ToArray(), n => n switch
        {
            JsonArray a => a.Select(x => x is JsonValue v && v.TryGetValue(out bool b) ? b : throw WrongType(key, x, "true or false")).ToArray(),
            JsonValue v when v.TryGetValue(out bool b) => Enumerable.Repeat(b, repeat).ToArray(),
            _ => throw WrongType(key, n, "a boolean or a list of booleans"),
        });

    /// <summary>The raw JSON of a key, marked as read; null when absent.</summary>
    public JsonNode? GetRaw(string key)
    {
        read.Add(key);
        return root.TryGetPropertyValue(key, out var v) ? v : null;
    }

    /// <summary>Builds a <see cref="ConfigException"/> for a key whose value is not allowed.</summary>
    public ConfigException Invalid(string key, object? value, string expected) =>
        new($"Config '{Source}': key '{key}' has value {FormatValue(value)}; expected {expected}.", Source, key);

    /// <summary>Marks every key as read (for configs whose keys are handled elsewhere) and logs the unknown ones.</summary>
    public void LogUnknownKeys(ILogger? logger)
    {
        logger ??= NullLogger.Instance;
        foreach (var key in UnknownKeys)
        {
            LogUnusedKey(logger, Source, key);
        }
    }

    /// <summary>The unread keys with their raw JSON text, for records that keep them.</summary>
    public IReadOnlyDictionary<string, string> UnknownEntries() =>
        new ReadOnlyDictionary<string, string>(UnknownKeys.ToDictionary(k => k, k => root[k]?.ToJsonString() ?? "null", StringComparer.Ordinal));

    private T Get<T>(string key, T defaultValue, Func<JsonNode, T> convert)
    {
        read.Add(key);
        if (!root.TryGetPropertyValue(key, out var node) || node is null)
        {
            return defaultValue;
        }

        return convert(node);
    }

    private int ToInt(string key, JsonNode? n)
    {
        if (n is JsonValue v)
        {
            if (v.TryGetValue(out long l) && l is >= int.MinValue and <= int.MaxValue)
            {
                return (int)l;
            }

            if (v.TryGetValue(out double d) && Math.Abs(d - Math.Round(d)) < 1e-9 && Math.Abs(d) < int.MaxValue)
            {
                return (int)Math.Round(d);
            }
        }

        throw WrongType(key, n, "an integer");
    }

    private double ToDouble(string key, JsonNode? n) =>
        n is JsonValue v && v.TryGetValue(out double d) ? d : throw WrongType(key, n, "a number");

    private string ToStringValue(string key, JsonNode? n) =>
        n is JsonValue v && v.TryGetValue(out string? s) ? s : throw WrongType(key, n, "a string");

    private ConfigException WrongType(string key, JsonNode? n, string expected) =>
        new($"Config '{Source}': key '{key}' has value {n?.ToJsonString() ?? "null"}; expected {expected}.", Source, key);

    private static string FormatValue(object? value) => value switch
    {
        null => "null",
        string s => JsonSerializer.Serialize(s),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    [LoggerMessage(EventId = LoggerEventIds.UnusedConfigKey, Level = LogLevel.Debug, Message = "Config {Source}: key {Key} is not used by StableVsr and was kept as is.")]
    private static partial void LogUnusedKey(ILogger logger, string source, string key);
}
