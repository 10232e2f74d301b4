using StableVsr.Tests.Support;
using StableVsr.Weights.Hub;
using StableVsr.Weights.Pickle;

namespace StableVsr.Tests.Weights.Hub;

public class TorchHubDownloaderTests
{
    private TempFolder folder = null!;
    private byte[] content = null!;
    private LoopbackHttpServer server = null!;

    [SetUp]
    public void SetUp()
    {
        folder = new TempFolder();
        content = File.ReadAllBytes(Fixtures.Path("raft", "raft_large_random.pth"));
        server = new LoopbackHttpServer(r => FileResponses.Serve(r, content));
    }

    [TearDown]
    public void TearDown()
    {
        server.Dispose();
        folder.Dispose();
    }

    [Test]
    public void RaftUrlCarriesTheTorchvisionHashPrefix() =>
        Assert.That(TorchHubDownloader.HashPrefix(PretrainedWeights.RaftLarge.FileName!), Is.EqualTo("ff5fadd5"));

    [Test]
    public async Task DownloadLandsInTorchHubCheckpointsAfterTheHashCheck()
    {
        var name = $"raft_large_random-{FakeHub.Sha256(content)[..8]}.pth";
        using var downloader = new TorchHubDownloader(Options());

        var path = await downloader.DownloadAsync(new Uri(server.BaseUri, "models/" + name).AbsoluteUri);
        var again = await downloader.DownloadAsync(new Uri(server.BaseUri, "models/" + name).AbsoluteUri);

        Assert.That(path, Is.EqualTo(Path.Combine(folder.Path, "torch", "hub", "checkpoints", name)));
        Assert.That(again, Is.EqualTo(path));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
        using var checkpoint = PickleCheckpoint.Open(path);
        Assert.That(checkpoint.Keys, Is.Not.Empty);
    }

    [Test]
    public void WrongHashPrefixLeavesNothingBehind()
    {
        using var downloader = new TorchHubDownloader(Options());

        var error = Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(new Uri(server.BaseUri, "models/raft-00000000.pth").AbsoluteUri));

        Assert.That(error!.Message, Does.Contain("does not start with 00000000"));
        Assert.That(Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void OfflineNeverDownloads()
    {
        using var downloader = new TorchHubDownloader(Options() with { Offline = true });

        Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(PretrainedWeights.RaftLarge));
        Assert.That(server.Requests, Is.Empty);
    }

    private HubOptions Options() => new()
    {
        TorchHome = Path.Combine(folder.Path, "torch"),
        HubCache = Path.Combine(folder.Path, "hub"),
        InitialBackoff = TimeSpan.FromMilliseconds(10),
    };
}
