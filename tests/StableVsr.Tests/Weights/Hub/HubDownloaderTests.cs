using System.Net;
using StableVsr.Tests.Support;
using StableVsr.Weights.Hub;
using StableVsr.Weights.Safetensors;

namespace StableVsr.Tests.Weights.Hub;

public class HubDownloaderTests
{
    private const string Weights = "vae/diffusion_pytorch_model.safetensors";
    private const string Config = "vae/config.json";

    private TempFolder folder = null!;
    private FakeHub hub = null!;
    private byte[] weights = null!;
    private byte[] config = null!;

    [SetUp]
    public void SetUp()
    {
        folder = new TempFolder();
        hub = new FakeHub();
        weights = File.ReadAllBytes(Fixtures.Path("tiny-stablevsr", "vae", "diffusion_pytorch_model.safetensors"));
        config = File.ReadAllBytes(Fixtures.Path("tiny-stablevsr", "vae", "config.json"));
        hub.Add(Weights, weights, lfs: true);
        hub.Add(Config, config, lfs: false);
    }

    [TearDown]
    public void TearDown()
    {
        hub.Dispose();
        folder.Dispose();
    }

    [Test]
    public async Task CleanDownloadFillsTheCacheInHuggingFaceLayout()
    {
        using var downloader = Downloader(Options() with { Token = "secret" });
        var progress = new List<DownloadProgress>();

        var path = await downloader.DownloadAsync(FakeHub.Repo, Weights, progress: new SynchronousProgress<DownloadProgress>(progress.Add));
        var configPath = await downloader.DownloadAsync(FakeHub.Repo, Config);

        var repo = Path.Combine(folder.Path, "hub", "models--claudiom4sir--StableVSR");
        Assert.That(path, Is.EqualTo(Path.Combine(repo, "snapshots", hub.Commit, "vae", "diffusion_pytorch_model.safetensors")));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(weights));
        Assert.That(File.ReadAllBytes(configPath), Is.EqualTo(config));
        Assert.That(new FileInfo(path).LinkTarget, Is.EqualTo(Path.Combine("..", "..", "..", "blobs", FakeHub.Sha256(weights))));
        Assert.That(File.Exists(Path.Combine(repo, "blobs", FakeHub.GitBlobSha1(config))), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(repo, "refs", "main")), Is.EqualTo(hub.Commit));
        Assert.That(Directory.GetFiles(repo, "*.incomplete", SearchOption.AllDirectories), Is.Empty);
        Assert.That(progress[^1], Is.EqualTo(new DownloadProgress(Weights, weights.Length, weights.Length)));
        Assert.That(hub.Server.Requests.All(r => r.Header("Authorization") == "Bearer secret"), Is.True, "the token goes to the Hub");
        Assert.That(hub.Cdn.Requests.All(r => r.Header("Authorization") is null), Is.True, "the token never goes to another host");
        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Keys, Is.Not.Empty);
    }

    [Test]
    public async Task CachedFileIsNotDownloadedAgain()
    {
        using var downloader = Downloader(Options());
        await downloader.DownloadAsync(FakeHub.Repo, Weights);
        var downloads = hub.Cdn.Requests.Count;

        await downloader.DownloadAsync(FakeHub.Repo, Weights);
        var pinned = await downloader.DownloadAsync(FakeHub.Repo, Weights, hub.Commit);

        Assert.That(hub.Cdn.Requests, Has.Count.EqualTo(downloads));
        Assert.That(File.ReadAllBytes(pinned), Is.EqualTo(weights));
    }

    [Test]
    public async Task DownloadCutOffHalfWayIsResumedWithRange()
    {
        hub.CutFirstDownloadAfter = weights.Length / 2;
        using var downloader = Downloader(Options());

        var path = await downloader.DownloadAsync(FakeHub.Repo, Weights);

        var gets = hub.Cdn.Requests.ToArray();
        Assert.That(gets, Has.Length.EqualTo(2));
        Assert.That(gets[0].Header("Range"), Is.Null);
        Assert.That(gets[1].Header("Range"), Is.EqualTo($"bytes={weights.Length / 2}-"), "the second attempt asks only for the missing half");
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(weights));
    }

    [Test]
    public async Task InterruptedDownloadLeavesAnIncompleteFileThatTheNextRunResumes()
    {
        hub.CutFirstDownloadAfter = weights.Length / 3;
        using (var failing = Downloader(Options() with { MaxAttempts = 1 }))
        {
            Assert.ThrowsAsync<HubDownloadException>(() => failing.DownloadAsync(FakeHub.Repo, Weights));
        }

        var partial = Directory.GetFiles(folder.Path, "*.incomplete", SearchOption.AllDirectories).Single();
        Assert.That(new FileInfo(partial).Length, Is.EqualTo(weights.Length / 3));

        using var downloader = Downloader(Options());
        var path = await downloader.DownloadAsync(FakeHub.Repo, Weights);

        Assert.That(hub.Cdn.Requests.Last().Header("Range"), Is.EqualTo($"bytes={weights.Length / 3}-"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(weights));
        Assert.That(File.Exists(partial), Is.False);
    }

    [Test]
    public void WrongHashLeavesNothingInTheCache()
    {
        hub.WrongLfsHash = new string('a', 64);
        using var downloader = Downloader(Options());

        var error = Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(FakeHub.Repo, Weights));

        TestContext.Out.WriteLine(error!.Message);
        Assert.That(error.Message, Does.Contain("corrupt").And.Contain(new string('a', 64)));
        Assert.That(Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void NotFoundIsNotRetried()
    {
        using var downloader = Downloader(Options());

        var error = Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(FakeHub.Repo, "vae/missing.json"));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(error.Message, Does.Contain("not found"));
        Assert.That(hub.Server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void UnauthorizedIsNotRetriedAndNamesTheToken()
    {
        hub.RequiredToken = "right";
        using var downloader = Downloader(Options() with { Token = "wrong" });

        var error = Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(FakeHub.Repo, Config));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(error.Message, Does.Contain("HF_TOKEN"));
        Assert.That(hub.Server.Requests, Has.Count.EqualTo(1));
        Assert.That(Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public async Task ServerErrorsAreRetriedWithBackoff()
    {
        hub.FailuresFirst.Enqueue(503);
        hub.FailuresFirst.Enqueue(500);
        using var downloader = Downloader(Options());

        var path = await downloader.DownloadAsync(FakeHub.Repo, Config);

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(config));
        Assert.That(hub.Server.Requests.Count(r => r.Method == "HEAD"), Is.EqualTo(3));
    }

    [Test]
    public void PersistentServerErrorsGiveUpAfterMaxAttempts()
    {
        for (var i = 0; i < 10; i++)
        {
            hub.FailuresFirst.Enqueue(502);
        }

        using var downloader = Downloader(Options() with { MaxAttempts = 3 });

        var error = Assert.ThrowsAsync<HubDownloadException>(() => downloader.DownloadAsync(FakeHub.Repo, Config));

        Assert.That(error!.Message, Does.Contain("after 3 attempts"));
        Assert.That(hub.Server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task OfflineModeUsesTheCacheAndNeverTheNetwork()
    {
        using (var online = Downloader(Options()))
        {
            await online.DownloadAsync(FakeHub.Repo, Config);
        }

        var requests = hub.Server.Requests.Count + hub.Cdn.Requests.Count;
        using var offline = Downloader(Options() with { Offline = true });

        var cached = await offline.DownloadAsync(FakeHub.Repo, Config);
        var error = Assert.ThrowsAsync<HubDownloadException>(() => offline.DownloadAsync(FakeHub.Repo, Weights));

        Assert.That(File.ReadAllBytes(cached), Is.EqualTo(config));
        Assert.That(error!.Message, Does.Contain("HF_HUB_OFFLINE").And.Contain(Weights));
        Assert.That(hub.Server.Requests.Count + hub.Cdn.Requests.Count, Is.EqualTo(requests));
    }

    [Test]
    public async Task UnreachableHubFallsBackToTheCachedRevision()
    {
        using (var online = Downloader(Options()))
        {
            await online.DownloadAsync(FakeHub.Repo, Config);
        }

        var unreachable = new Uri("http://127.0.0.1:1/");
        using var downloader = Downloader(Options() with { Endpoint = unreachable, MaxAttempts = 2 });

        var path = await downloader.DownloadAsync(FakeHub.Repo, Config);

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(config));
    }

    [Test]
    public void CancellationStopsTheDownload()
    {
        using var downloader = Downloader(Options());
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.That(() => downloader.DownloadAsync(FakeHub.Repo, Weights, cancellationToken: cancel.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [TestCase("../secret")]
    [TestCase("/etc/passwd")]
    [TestCase("vae//config.json")]
    public void FilePathsOutsideTheRepositoryAreRefused(string file)
    {
        using var downloader = Downloader(Options());

        Assert.ThrowsAsync<InvalidInputException>(() => downloader.DownloadAsync(FakeHub.Repo, file));
        Assert.That(hub.Server.Requests, Is.Empty);
    }

    private HubOptions Options() => new()
    {
        Endpoint = hub.Server.BaseUri,
        HubCache = Path.Combine(folder.Path, "hub"),
        TorchHome = Path.Combine(folder.Path, "torch"),
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    private static HubDownloader Downloader(HubOptions options) => new(options);
}
