using StableVsr.Models.Vae;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;

namespace StableVsr.Tests.Models.Vae;

public class AutoencoderKLNameTests
{
    [Test]
    public void FullSizeConfigBuildsExactlyTheCheckpointKeysAndShapes()
    {
        var config = AutoencoderKLConfig.Load(Fixtures.Path("full-size", "vae", "config.json"));
        using var vae = KeyManifest.BuildOnMeta(() => new AutoencoderKL(config));
        KeyManifest.AssertMatches(vae, Fixtures.Path("full-size", "vae", "manifest.json"));
    }
}
