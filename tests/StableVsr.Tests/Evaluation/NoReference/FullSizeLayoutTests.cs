using StableVsr.Evaluation.Metrics.ClipIqa;
using StableVsr.Evaluation.Metrics.Musiq;

namespace StableVsr.Tests.Evaluation.NoReference;

/// <summary>
/// The real checkpoints (MUSIQ-KonIQ, CLIP RN50) cannot be downloaded here; their keys and shapes, as pyiqa builds the
/// models (<c>iqa/full_size_manifests.json</c>), must be exactly what the modules hold, so the real files load.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class FullSizeLayoutTests
{
    [Test]
    public void MusiqKoniqHasTheModulesKeysAndShapes()
    {
        using var manifest = ManifestSource.FullSize("musiq_koniq10k");
        var config = MusiqConfig.FromCheckpoint(manifest);
        var koniq = MusiqConfig.KonIq;
        Assert.That((config.Hidden, config.MlpSize, config.Layers, config.Heads, config.Outputs), Is.EqualTo((koniq.Hidden, koniq.MlpSize, koniq.Layers, koniq.Heads, koniq.Outputs)));

        using var model = new MusiqModel(config);
        AssertSameLayout(model, manifest, _ => false);
    }

    [Test]
    public void ClipRn50HasTheModulesKeysAndShapes()
    {
        using var manifest = ManifestSource.FullSize("clip_RN50");
        var config = ClipIqaConfig.FromCheckpoint(manifest);
        var rn50 = ClipIqaConfig.Rn50;
        Assert.That((config.EmbedSize, config.VisionWidth, config.ContextLength, config.VocabSize, config.TextWidth, config.TextLayers), Is.EqualTo((rn50.EmbedSize, rn50.VisionWidth, rn50.ContextLength, rn50.VocabSize, rn50.TextWidth, rn50.TextLayers)));
        Assert.That(config.VisionLayers, Is.EqualTo(rn50.VisionLayers));
        Assert.That((config.PoolHeads, config.TextHeads), Is.EqualTo((32, 8)), "OpenAI's RN50 head counts");
        Assert.That(manifest.GetInfo("visual.attnpool.positional_embedding").Shape[0], Is.EqualTo(ClipIqaConfig.Rn50PoolPositions));

        using var model = new ClipIqaModel(config, ClipIqaConfig.Rn50PoolPositions);
        AssertSameLayout(model, manifest, key => key is "input_resolution" or "context_length" or "vocab_size");
    }

    private static void AssertSameLayout(TorchSharp.torch.nn.Module module, ManifestSource manifest, Func<string, bool> extra)
    {
        var state = module.state_dict();
        var expected = manifest.Keys.Where(k => !extra(k)).ToArray();
        Assert.That(state.Keys, Is.EquivalentTo(expected));
        foreach (var key in expected)
        {
            Assert.That(state[key].shape, Is.EqualTo(manifest.GetInfo(key).Shape), key);
        }
    }
}
