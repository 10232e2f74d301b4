using StableVsr.Models.Loading;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Models.Loading;

/// <summary>
/// <see cref="ModelSource.ControlNet"/>: a ControlNet folder (such as one written by <c>stablevsr train</c>) replaces the
/// model's <c>controlnet/</c>; a folder that cannot be one is refused before anything loads, and the model fingerprint
/// follows the ControlNet actually used.
/// </summary>
public sealed class ReplacementControlNetTests
{
    [Test]
    public void AFolderWithoutConfigAndWeightsIsRefusedWithItsPath()
    {
        using var temp = new TempFolder();
        var empty = Directory.CreateDirectory(temp.File("empty")).FullName;

        var error = Assert.ThrowsAsync<ModelLoadException>(() =>
            new StableVsrModelLoader().LoadAsync(TinyPipeline.Source with { ControlNet = empty }, ComputeDevice.Cpu, PrecisionPolicy.Float32));

        Assert.That(error!.Path, Is.EqualTo(empty));
        Assert.That(error.Message, Does.Contain("config.json").And.Contain("stablevsr train"));
    }

    [Test]
    public void TheFingerprintFollowsTheControlNetInUse()
    {
        using var temp = new TempFolder();
        var model = TinyPipeline.ModelFolder;
        var own = Path.Combine(model, "controlnet");
        var copy = Directory.CreateDirectory(temp.File("trained")).FullName;
        foreach (var file in Directory.GetFiles(own))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var original = ModelFingerprint.Of(model, TinyPipeline.RaftWeights, PrecisionPolicy.Float32);
        Assert.That(ModelFingerprint.Of(model, TinyPipeline.RaftWeights, PrecisionPolicy.Float32, copy), Is.EqualTo(original), "the same ControlNet elsewhere");

        // Another value in the first weights the hash reads: a ControlNet trained further.
        var weights = Path.Combine(copy, "diffusion_pytorch_model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        var headerEnd = 8 + (int)BitConverter.ToUInt64(bytes, 0);
        bytes[headerEnd] ^= 0x01;
        File.WriteAllBytes(weights, bytes);
        Assert.That(ModelFingerprint.Of(model, TinyPipeline.RaftWeights, PrecisionPolicy.Float32, copy), Is.Not.EqualTo(original), "other weights");
    }
}
