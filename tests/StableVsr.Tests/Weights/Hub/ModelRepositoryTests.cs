using StableVsr.Tests.Support;
using StableVsr.Weights.Hub;

namespace StableVsr.Tests.Weights.Hub;

public class ModelRepositoryTests
{
    private static readonly string[] VaeFiles = ["vae/config.json", "vae/diffusion_pytorch_model.safetensors", "model_index.json"];

    [Test]
    public async Task LocalFolderIsUsedAsItIs()
    {
        using var repository = new ModelRepository(new HubOptions { Offline = true });

        var folder = await repository.ResolveAsync(ModelReference.Local(Fixtures.Path("tiny-stablevsr")), VaeFiles);

        Assert.That(folder, Is.EqualTo(Fixtures.Path("tiny-stablevsr")));
    }

    [Test]
    public void LocalFolderMissingFilesListsThemAll()
    {
        using var repository = new ModelRepository(new HubOptions { Offline = true });

        var error = Assert.ThrowsAsync<ModelLoadException>(() =>
            repository.ResolveAsync(ModelReference.Local(Fixtures.Path("tiny-stablevsr")), ["unet/config.json", "unet/nope.bin", "extra/config.json"]));

        Assert.That(error!.Message, Does.Contain("unet/nope.bin").And.Contain("extra/config.json").And.Not.Contain("unet/config.json,"));
    }

    [Test]
    public async Task HubReferenceIsDownloadedIntoOneSnapshot()
    {
        using var folder = new TempFolder();
        using var hub = new FakeHub();
        foreach (var file in VaeFiles)
        {
            hub.Add(file, File.ReadAllBytes(Fixtures.Path(["tiny-stablevsr", .. file.Split('/')])), lfs: file.EndsWith(".safetensors", StringComparison.Ordinal));
        }

        using var repository = new ModelRepository(new HubOptions { Endpoint = hub.Server.BaseUri, HubCache = folder.Path });

        var snapshot = await repository.ResolveAsync(ModelReference.Parse(FakeHub.Repo), VaeFiles);

        Assert.That(Path.GetFileName(snapshot), Is.EqualTo(hub.Commit));
        foreach (var file in VaeFiles)
        {
            Assert.That(File.ReadAllBytes(Path.Combine(snapshot, file)), Is.EqualTo(File.ReadAllBytes(Fixtures.Path(["tiny-stablevsr", .. file.Split('/')]))), file);
        }

        var first = hub.Server.Requests.Where(r => r.Path.EndsWith(VaeFiles[0], StringComparison.Ordinal)).Select(r => r.Path.Split('/')[4]);
        var later = hub.Server.Requests.Where(r => !r.Path.EndsWith(VaeFiles[0], StringComparison.Ordinal)).Select(r => r.Path.Split('/')[4]);
        Assert.That(first, Is.All.EqualTo("main"));
        Assert.That(later, Is.Not.Empty.And.All.EqualTo(hub.Commit), "later files are fetched at the commit the first one pinned");
    }
}
