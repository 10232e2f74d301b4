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
    /// <summary>The two sequences of the case.</summary>
    public static readonly string[] Sequences = ["000", "011"];

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

    /// <summary>An 8-bit tensor of the case as eval.py's ToTensor makes it: float32 u8 / 255.</summary>
    public static torch.Tensor Frames(ReferenceCase reference, string key)
    {
        using var bytes = reference.Tensor(key);
        using var floats = bytes.to(torch.float32);
        return floats / 255f;
    }
}
