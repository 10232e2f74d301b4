namespace StableVsr.Tests.Weights.Hub;

/// <summary>One request the loopback server received.</summary>
internal sealed record LoopbackRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}
