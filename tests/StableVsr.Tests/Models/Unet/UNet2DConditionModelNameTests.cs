using StableVsr.Models.Unet;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;

namespace StableVsr.Tests.Models.Unet;

public class UNet2DConditionModelNameTests
{
    [Test]
    public void FullSizeConfigBuildsExactlyTheCheckpointKeysAndShapes()
    {
        var config = UNet2DConditionConfig.Load(Fixtures.Path("full-size", "unet", "config.json"));
        using var unet = KeyManifest.BuildOnMeta(() => new UNet2DConditionModel(config));
        KeyManifest.AssertMatches(unet, Fixtures.Path("full-size", "unet", "manifest.json"));
    }
}
