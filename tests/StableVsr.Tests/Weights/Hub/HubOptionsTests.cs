using StableVsr.Tests.Support;
using StableVsr.Weights.Hub;

namespace StableVsr.Tests.Weights.Hub;

public class HubOptionsTests
{
    private static readonly string Home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    [Test]
    public void DefaultsFollowHuggingFaceHubAndTorchHub()
    {
        var options = HubOptions.FromEnvironment(Lookup([]));

        Assert.That(options.Endpoint, Is.EqualTo(new Uri("https://huggingface.co")));
        Assert.That(options.HubCache, Is.EqualTo(Path.Combine(Home, ".cache", "huggingface", "hub")));
        Assert.That(options.TorchHome, Is.EqualTo(Path.Combine(Home, ".cache", "torch")));
        Assert.That(options.Offline, Is.False);
    }

    [Test]
    public void EnvironmentOverridesEverything()
    {
        var options = HubOptions.FromEnvironment(Lookup(new()
        {
            ["HF_HOME"] = "/data/hf",
            ["HF_ENDPOINT"] = "http://mirror.local:8080/",
            ["HF_TOKEN"] = "hf_abc",
            ["HF_HUB_OFFLINE"] = "1",
            ["TORCH_HOME"] = "/data/torch",
        }));

        Assert.That(options.HubCache, Is.EqualTo("/data/hf/hub"));
        Assert.That(options.Endpoint, Is.EqualTo(new Uri("http://mirror.local:8080")));
        Assert.That(options.Token, Is.EqualTo("hf_abc"));
        Assert.That(options.Offline, Is.True);
        Assert.That(options.TorchHome, Is.EqualTo("/data/torch"));
    }

    [Test]
    public void HubCacheWinsOverHfHomeAndXdgMovesTheDefaults()
    {
        var options = HubOptions.FromEnvironment(Lookup(new() { ["HF_HUB_CACHE"] = "/cache/hub", ["XDG_CACHE_HOME"] = "/xdg" }));

        Assert.That(options.HubCache, Is.EqualTo("/cache/hub"));
        Assert.That(options.TorchHome, Is.EqualTo("/xdg/torch"));
    }

    [Test]
    public void TokenIsReadFromTheTokenFileWhenHfTokenIsUnset()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("token"), "hf_from_file\n");

        var options = HubOptions.FromEnvironment(Lookup(new() { ["HF_HOME"] = folder.Path }));

        Assert.That(options.Token, Is.EqualTo("hf_from_file"));
    }

    [TestCase("true", true)]
    [TestCase("YES", true)]
    [TestCase("0", false)]
    [TestCase("", false)]
    public void OfflineFlagReadsLikePython(string value, bool expected) =>
        Assert.That(HubOptions.FromEnvironment(Lookup(new() { ["HF_HUB_OFFLINE"] = value })).Offline, Is.EqualTo(expected));

    [Test]
    public void InvalidEndpointIsRefused()
    {
        var error = Assert.Throws<InvalidInputException>(() => HubOptions.FromEnvironment(Lookup(new() { ["HF_ENDPOINT"] = "ftp://x" })));

        Assert.That(error!.Message, Does.Contain("HF_ENDPOINT"));
    }

    private static Func<string, string?> Lookup(Dictionary<string, string> variables) =>
        name => variables.TryGetValue(name, out var value) ? value : null;
}
