using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;

namespace StableVsr.Tests.Weights;

public class ConfigBadInputTests
{
    [Test]
    public void MissingConfigJsonIsNamed()
    {
        using var folder = new TempFolder();
        var path = folder.File("unet", "config.json");

        var error = Assert.Throws<ConfigException>(() => ConfigDocument.Load(path));

        Assert.That(error!.Message, Does.Contain(path).And.Contain("does not exist"));
        Assert.That(error.Path, Is.EqualTo(path));
    }

    [Test]
    public void ConfigFieldOfTheWrongTypeNamesFileKeyAndValue()
    {
        using var folder = new TempFolder();
        var path = folder.File("config.json");
        File.WriteAllText(path, """{"in_channels": "seven", "block_out_channels": [128, 256]}""");
        var document = ConfigDocument.Load(path);

        var error = Assert.Throws<ConfigException>(() => document.GetInt("in_channels", 4));

        Assert.That(error!.Message, Does.Contain(path).And.Contain("in_channels").And.Contain("\"seven\"").And.Contain("an integer"));
        Assert.That(error.Key, Is.EqualTo("in_channels"));
        Assert.That(document.GetIntList("block_out_channels", null), Is.EqualTo(new[] { 128, 256 }));
    }
}
