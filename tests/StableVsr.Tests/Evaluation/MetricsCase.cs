using System.Text.Json;
using StableVsr.Evaluation;
using StableVsr.Evaluation.Metrics;
using StableVsr.Models.Raft;
using StableVsr.Tests.Models;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Evaluation;

/// <summary>
/// The fixture <c>cases/metrics.safetensors</c> (made by eval.py's own metric code) and the metric networks with the
/// fixture's random backbones and the real heads, shared by the evaluation tests.
/// </summary>
internal static class MetricsCase
{
    /// <summary>The sequences of the case, from its metadata, in eval.py's (sorted) order.</summary>
    public static IReadOnlyList<string> Sequences => Metadata("sequences").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>What eval.py printed for the six metrics the port computes (metadata <c>printed_line</c>).</summary>
    public static string PrintedLine => Metadata("printed_line").GetString()!;

    /// <summary>The metrics of <see cref="PrintedLine"/>, in its order.</summary>
    public static IReadOnlyList<Metric> PrintedMetrics => PrintedLine.Split(", ").Select(part => MetricInfo.Parse(part[..part.IndexOf(':', StringComparison.Ordinal)])).ToArray();

    /// <summary>The per-frame tolerance of a float32 port for <paramref name="metric"/> (metadata <c>tolerances_float32_port</c>).</summary>
    public static double Tolerance(Metric metric) =>
        Metadata("tolerances_float32_port").GetProperty("per_frame_abs").GetProperty(MetricInfo.Of(metric).Name).GetDouble();

    /// <summary>eval.py's printed value of <paramref name="metric"/> (metadata <c>summary</c>).</summary>
    public static double Printed(Metric metric) => Metadata("summary").GetProperty(MetricInfo.Of(metric).Name).GetDouble();

    private static readonly Lazy<Lpips> SharedLpips = new(() => Lpips.Load(AlexNetWeights));
    private static readonly Lazy<Dists> SharedDists = new(() => Dists.Load(Vgg16Weights));
    private static readonly Lazy<Raft> SharedRaft = new(() => Raft.FromFile(RaftWeights));

    public static string AlexNetWeights => Fixtures.Path("metrics", "alexnet_features_random.pth");

    public static string Vgg16Weights => Fixtures.Path("metrics", "vgg16_features_random.pth");

    public static string RaftWeights => Fixtures.Path("raft", "raft_large_random.pth");

    /// <summary>The fixture frames in eval.py's folder layout (gt/ and rec/, one subfolder per sequence).</summary>
    public static string FramesRoot => Fixtures.Path("cases", "metrics_frames");

    public static Lpips Lpips => SharedLpips.Value;

    public static Dists Dists => SharedDists.Value;

    /// <summary>The fixture's RAFT-large, normalising per sample as eval.py's RAFT does.</summary>
    public static Raft Raft => SharedRaft.Value;

    public static ReferenceCase Open() => ReferenceCase.Open("metrics");

    /// <summary>A metadata entry of the file, as JSON (a plain string entry is a JSON string).</summary>
    public static JsonElement Metadata(string key)
    {
        using var reference = Open();
        var text = reference.Metadata[key];
        return text.StartsWith('{') || text.StartsWith('[') || text.StartsWith('"')
            ? JsonDocument.Parse(text).RootElement.Clone()
            : JsonDocument.Parse(JsonSerializer.Serialize(text)).RootElement.Clone();
    }

    /// <summary>An 8-bit tensor of the case as eval.py's ToTensor makes it: float32 u8 / 255.</summary>
    public static torch.Tensor Frames(ReferenceCase reference, string key)
    {
        using var bytes = reference.Tensor(key);
        using var floats = bytes.to(torch.float32);
        return floats / 255f;
    }
}
