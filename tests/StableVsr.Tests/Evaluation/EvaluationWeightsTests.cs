using Microsoft.Extensions.Logging;
using StableVsr.Evaluation;
using StableVsr.Evaluation.Metrics;
using StableVsr.Tests.Support;
using StableVsr.Tests.Weights;
using StableVsr.Weights;
using StableVsr.Weights.Hub;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Evaluation;

/// <summary>Where the metric networks' weights come from: the torch hub cache (offline here), or files given.</summary>
public class EvaluationWeightsTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void UrlsCarryTorchvisionsHashPrefixes()
    {
        Assert.That(TorchHubDownloader.HashPrefix(PretrainedWeights.AlexNet.FileName!), Is.EqualTo("7be5be79"));
        Assert.That(TorchHubDownloader.HashPrefix(PretrainedWeights.Vgg16.FileName!), Is.EqualTo("397923af"));
    }

    [Test]
    public async Task BackbonesInTheTorchHubCacheAreUsedOffline()
    {
        var checkpoints = Directory.CreateDirectory(folder.File("torch", "hub", "checkpoints")).FullName;
        File.Copy(MetricsCase.AlexNetWeights, Path.Combine(checkpoints, "alexnet-owt-7be5be79.pth"));
        var hub = new HubOptions { TorchHome = folder.File("torch"), Offline = true };

        using var evaluator = await VideoEvaluator.LoadAsync(options: EvaluationOptions.Default with { Metrics = [Metric.Lpips], Device = ComputeDevice.Cpu }, hubOptions: hub);
        var result = await evaluator.EvaluateFoldersAsync(Path.Combine(MetricsCase.FramesRoot, "rec"), Path.Combine(MetricsCase.FramesRoot, "gt"), cancellationToken: default);

        Assert.That(result.SummaryLine, Is.EqualTo("LPIPS: 0.11"));
    }

    [Test]
    public void MissingBackboneOfflineNamesTheFileAndTheCache()
    {
        var hub = new HubOptions { TorchHome = folder.File("torch"), Offline = true };

        var error = Assert.ThrowsAsync<HubDownloadException>(() => VideoEvaluator.LoadAsync(options: EvaluationOptions.Default with { Metrics = [Metric.Dists], Device = ComputeDevice.Cpu }, hubOptions: hub));

        Assert.That(error!.Message, Does.Contain("vgg16-397923af.pth").And.Contain("HF_HUB_OFFLINE").And.Contain(folder.File("torch")));
    }

    [Test]
    public void ClassifierWeightsAreSkippedSilently()
    {
        // torchvision's real files also hold classifier.{1,4,6}.*; LPIPS only needs features.*.
        var path = folder.File("alexnet-with-classifier.safetensors");
        using (var source = PickleCheckpoint(MetricsCase.AlexNetWeights))
        using (var scope = torch.NewDisposeScope())
        {
            var tensors = source.Keys.ToDictionary(k => k, k => source.Load(k));
            tensors["classifier.6.weight"] = torch.zeros(1000, 4096);
            tensors["classifier.6.bias"] = torch.zeros(1000);
            SafetensorsWriter.Write(path, tensors);
        }

        var logger = new RecordingLogger();
        using var lpips = Lpips.Load(path, logger: logger);

        Assert.That(logger.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty);
    }

    [Test]
    public void AFileWithoutTheBackboneIsRefusedWithItsName()
    {
        var error = Assert.Throws<ModelLoadException>(() => Dists.Load(MetricsCase.AlexNetWeights));

        Assert.That(error!.Message, Does.Contain("is not torchvision's VGG16").And.Contain("features.2.weight"));
    }

    private static ITensorSource PickleCheckpoint(string path) => TensorSources.Open(path);
}
