namespace StableVsr;

/// <summary>
/// A configuration value asks for something StableVsr does not implement. Raised instead of silently
/// building a different network than the checkpoint expects.
/// </summary>
public class UnsupportedConfigException : ModelLoadException
{
    /// <summary>Creates the exception for <paramref name="key"/> having <paramref name="value"/>.</summary>
    public UnsupportedConfigException(string key, object? value, string? path = null, string? detail = null)
        : base(
            $"Config key '{key}' = {Format(value)} is not supported{(path is null ? string.Empty : $" (in {path})")}." +
            (detail is null ? string.Empty : " " + detail),
            path)
    {
        Key = key;
        Value = value;
    }

    /// <summary>The config key.</summary>
    public string Key { get; }

    /// <summary>The unsupported value.</summary>
    public object? Value { get; }

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Format)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
