using StableVsr.Models.ControlNet;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;

namespace StableVsr.Tests.Models.ControlNet;

public class ControlNetModelNameTests
{
    [Test]
    public void FullSizeConfigBuildsExactlyTheCheckpointKeysAndShapes()
    {
        var config = ControlNetConfig.Load(Fixtures.Path("full-size", "controlnet", "config.json"));
        using var controlnet = KeyManifest.BuildOnMeta(() => new ControlNetModel(config));
        KeyManifest.AssertMatches(controlnet, Fixtures.Path("full-size", "controlnet", "manifest.json"));
    }
}
