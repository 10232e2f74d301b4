namespace StableVsr.Weights.Configs;

/// <summary>
/// A config file cannot be used: it is missing, is not JSON, or a key has the wrong type or value.
/// The message names the file, the key and the value found.
/// </summary>
public class ConfigException : ModelLoadException
{
    /// <summary>Creates the exception.</summary>
    public ConfigException(string message, string? path, string? key = null, Exception? innerException = null)
        : base(message, path, innerException)
    {
        Key = key;
    }

    /// <summary>The offending key, when the problem is one key.</summary>
    public string? Key { get; }
}
