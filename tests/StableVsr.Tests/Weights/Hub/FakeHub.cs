using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace StableVsr.Tests.Weights.Hub;

/// <summary>
/// A Hugging Face Hub stand-in on loopback: a "hub" server answering HEAD/GET on <c>/{repo}/resolve/{rev}/{file}</c>
/// with the Hub's headers (X-Repo-Commit, ETag, X-Linked-Etag/-Size plus a redirect for LFS files), and a
/// separate "cdn" server (another origin) holding LFS contents. Knobs let tests inject the failures they check.
/// </summary>
internal sealed class FakeHub : IDisposable
{
    public const string Repo = "claudiom4sir/StableVSR";

    private readonly Dictionary<string, (byte[] Content, bool Lfs)> files = new(StringComparer.Ordinal);
    private int cdnGets;

    public FakeHub()
    {
        Commit = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("commit")));
        Cdn = new LoopbackHttpServer(ServeCdn);
        Server = new LoopbackHttpServer(ServeHub);
    }

    public string Commit { get; }

    public LoopbackHttpServer Server { get; }

    public LoopbackHttpServer Cdn { get; }

    /// <summary>Statuses the hub answers before answering normally (e.g. 503, 503).</summary>
    public ConcurrentQueue<int> FailuresFirst { get; } = new();

    /// <summary>When set, the first CDN download is cut off after this many bytes.</summary>
    public int? CutFirstDownloadAfter { get; set; }

    /// <summary>When set, LFS files announce this hash instead of their own.</summary>
    public string? WrongLfsHash { get; set; }

    /// <summary>When set, requests without this bearer token get 401.</summary>
    public string? RequiredToken { get; set; }

    public void Add(string path, byte[] content, bool lfs) => files[path] = (content, lfs);

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static string GitBlobSha1(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));

    public void Dispose()
    {
        Server.Dispose();
        Cdn.Dispose();
    }

    private LoopbackResponse ServeHub(LoopbackRequest request)
    {
        if (FailuresFirst.TryDequeue(out var failure))
        {
            return LoopbackResponse.Empty(failure);
        }

        if (RequiredToken is not null && request.Header("Authorization") != "Bearer " + RequiredToken)
        {
            return LoopbackResponse.Empty(401);
        }

        var prefix = $"/{Repo}/resolve/";
        if (!request.Path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return LoopbackResponse.Empty(404);
        }

        var rest = request.Path[prefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var revision = rest[..slash];
        var path = rest[(slash + 1)..];
        if ((revision != "main" && revision != Commit) || !files.TryGetValue(path, out var file))
        {
            return LoopbackResponse.Empty(404);
        }

        var headers = new Dictionary<string, string> { ["X-Repo-Commit"] = Commit };
        if (file.Lfs)
        {
            headers["X-Linked-Etag"] = $"\"{WrongLfsHash ?? Sha256(file.Content)}\"";
            headers["X-Linked-Size"] = file.Content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["Location"] = new Uri(Cdn.BaseUri, "lfs/" + Sha256(file.Content)).AbsoluteUri;
            return new LoopbackResponse(302, headers, []);
        }

        headers["ETag"] = $"\"{GitBlobSha1(file.Content)}\"";
        return FileResponses.Serve(request, file.Content, headers);
    }

    private LoopbackResponse ServeCdn(LoopbackRequest request)
    {
        var match = files.Values.FirstOrDefault(f => "/lfs/" + Sha256(f.Content) == request.Path);
        if (match.Content is null)
        {
            return LoopbackResponse.Empty(404);
        }

        var cut = Interlocked.Increment(ref cdnGets) == 1 ? CutFirstDownloadAfter : null;
        return FileResponses.Serve(request, match.Content, cutAfter: cut);
    }
}
