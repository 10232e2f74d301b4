using System.Text.RegularExpressions;

namespace StableVsr.Tests.Weights.Hub;

/// <summary>Builds loopback answers that serve bytes the way a file server does, honouring <c>Range: bytes=N-</c>.</summary>
internal static partial class FileResponses
{
    public static LoopbackResponse Serve(LoopbackRequest request, byte[] content, IReadOnlyDictionary<string, string>? extraHeaders = null, int? cutAfter = null)
    {
        var headers = new Dictionary<string, string>(extraHeaders ?? new Dictionary<string, string>());
        var range = request.Header("Range");
        if (range is not null && RangePattern().Match(range) is { Success: true } match)
        {
            var from = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (from >= content.Length)
            {
                return LoopbackResponse.Empty(416);
            }

            headers["Content-Range"] = $"bytes {from}-{content.Length - 1}/{content.Length}";
            return new LoopbackResponse(206, headers, content[from..], cutAfter);
        }

        return new LoopbackResponse(200, headers, content, cutAfter);
    }

    [GeneratedRegex(@"^bytes=(\d+)-$")]
    private static partial Regex RangePattern();
}
