namespace StableVsr.Weights.Hub;

/// <summary>
/// Where the Hugging Face and torch hub caches are and how to reach the Hub, as Python's
/// <c>huggingface_hub</c> and <c>torch.hub</c> decide it from the environment. Build it with
/// <see cref="FromEnvironment"/> (process environment, or any lookup in tests) or set the values directly.
/// </summary>
public sealed record HubOptions
{
    /// <summary>The Hub's base URL (<c>HF_ENDPOINT</c>); default <c>https://huggingface.co</c>.</summary>
    public Uri Endpoint { get; init; } = new("https://huggingface.co");

    /// <summary>The Hugging Face cache folder holding <c>models--owner--name</c> folders (<c>HF_HUB_CACHE</c>); default <c>~/.cache/huggingface/hub</c>.</summary>
    public string HubCache { get; init; } = Path.Combine(DefaultCacheHome(), "huggingface", "hub");

    /// <summary>The torch hub folder (<c>TORCH_HOME</c>); weights live in its <c>hub/checkpoints</c>; default <c>~/.cache/torch</c>.</summary>
    public string TorchHome { get; init; } = Path.Combine(DefaultCacheHome(), "torch");

    /// <summary>The access token sent as a bearer token to the Hub (<c>HF_TOKEN</c>, else the token file); null for none.</summary>
    public string? Token { get; init; }

    /// <summary>Never touch the network; use only what the caches hold (<c>HF_HUB_OFFLINE=1</c>).</summary>
    public bool Offline { get; init; }

    /// <summary>Attempts per request before a transient error (5xx, timeout, dropped connection) is given up; default 5.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The wait before the first retry; each further retry waits twice as long. Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a request may wait for response headers, or a download for its next bytes, before it counts as timed out (and is retried). Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads the options as huggingface_hub and torch.hub do: <c>HF_ENDPOINT</c>, <c>HF_HOME</c> (default
    /// <c>$XDG_CACHE_HOME/huggingface</c> or <c>~/.cache/huggingface</c>), <c>HF_HUB_CACHE</c> (or the older
    /// <c>HUGGINGFACE_HUB_CACHE</c>; default <c>$HF_HOME/hub</c>), <c>HF_TOKEN</c> (else the file
    /// <c>HF_TOKEN_PATH</c>, default <c>$HF_HOME/token</c>), <c>HF_HUB_OFFLINE</c> (1/true/yes/on), and
    /// <c>TORCH_HOME</c> (default <c>$XDG_CACHE_HOME/torch</c> or <c>~/.cache/torch</c>).
    /// </summary>
    /// <param name="variables">Looks up a variable; <see cref="Environment.GetEnvironmentVariable(string)"/> when null.</param>
    /// <exception cref="InvalidInputException"><c>HF_ENDPOINT</c> is not an absolute http(s) URL.</exception>
    public static HubOptions FromEnvironment(Func<string, string?>? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => variables(name) is { Length: > 0 } value ? value : null;

        var cacheHome = Get("XDG_CACHE_HOME") ?? DefaultCacheHome();
        var hfHome = Expand(Get("HF_HOME")) ?? Path.Combine(cacheHome, "huggingface");
        var tokenPath = Expand(Get("HF_TOKEN_PATH")) ?? Path.Combine(hfHome, "token");
        var token = Get("HF_TOKEN") ?? Get("HUGGING_FACE_HUB_TOKEN") ?? ReadToken(tokenPath);
        var endpoint = Get("HF_ENDPOINT") ?? "https://huggingface.co";
        if (!Uri.TryCreate(endpoint.TrimEnd('/'), UriKind.Absolute, out var endpointUri) || (endpointUri.Scheme != Uri.UriSchemeHttp && endpointUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidInputException($"HF_ENDPOINT '{endpoint}' is not an absolute http(s) URL; set it like https://huggingface.co or unset it.");
        }

        return new HubOptions
        {
            Endpoint = endpointUri,
            HubCache = Expand(Get("HF_HUB_CACHE") ?? Get("HUGGINGFACE_HUB_CACHE")) ?? Path.Combine(hfHome, "hub"),
            TorchHome = Expand(Get("TORCH_HOME")) ?? Path.Combine(cacheHome, "torch"),
            Token = token,
            Offline = IsTrue(Get("HF_HUB_OFFLINE")),
        };
    }

    private static bool IsTrue(string? value) =>
        value is not null && (value.Equals("1", StringComparison.Ordinal) || value.Equals("true", StringComparison.OrdinalIgnoreCase) ||
                              value.Equals("yes", StringComparison.OrdinalIgnoreCase) || value.Equals("on", StringComparison.OrdinalIgnoreCase));

    private static string DefaultCacheHome() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");

    private static string? Expand(string? path) =>
        path is not null && path.StartsWith('~')
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
            : path;

    private static string? ReadToken(string path)
    {
        try
        {
            return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
