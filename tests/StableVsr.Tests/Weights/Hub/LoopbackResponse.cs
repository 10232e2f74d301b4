namespace StableVsr.Tests.Weights.Hub;

/// <summary>What the loopback server answers; <see cref="CutAfter"/> drops the connection after that many body bytes.</summary>
internal sealed record LoopbackResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, int? CutAfter = null)
{
    public static LoopbackResponse Empty(int status) => new(status, new Dictionary<string, string>(), []);
}
