using StableVsr.Tensors;
using System.Text.Json;
using StableVsr.Tests.Models;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Evaluation.NoReference;

/// <summary>
/// The fixture <c>cases/iqa.safetensors</c> (made by pyiqa 0.1.7 itself) and the files of <c>iqa/</c>: every input the
/// file describes, read from its metadata, so another set made by the same generator runs unchanged.
/// </summary>
internal static class IqaCase
{
    public static string MusiqWeights => Fixtures.Path("iqa", "musiq_random.pth");

    public static string ClipWeights => Fixtures.Path("iqa", "clipiqa_random.pth");

    public static string NiqeModelFile => Fixtures.Path("iqa", "niqe_modelparameters.mat");

    /// <summary>The frames of the summary set in eval.py's layout: rec/sequence/frames.</summary>
    public static string FramesRoot => Fixtures.Path("cases", "iqa_frames");

    public static ReferenceCase Open() => ReferenceCase.Open("iqa");

    /// <summary>The input names of the file (<c>a</c>, <c>b</c>, ...), from its metadata.</summary>
    public static IReadOnlyList<string> Inputs()
    {
        using var reference = Open();
        return Metadata(reference, "inputs").EnumerateObject().Select(p => p.Name).ToArray();
    }

    /// <summary>A JSON metadata entry of the file.</summary>
    public static JsonElement Metadata(ReferenceCase reference, string key) =>
        JsonDocument.Parse(reference.Metadata[key]).RootElement.Clone();

    /// <summary>Input <paramref name="name"/> as eval.py feeds it: float32 u8 / 255, [1, 3, H, W].</summary>
    public static torch.Tensor Input(ReferenceCase reference, string name)
    {
        using var bytes = reference.Tensor($"input_{name}_u8");
        using var floats = bytes.to(torch.float32);
        using var scaled = floats.DividedBy(255.0);
        return scaled.unsqueeze(0);
    }
}
