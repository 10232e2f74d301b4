using System.Diagnostics;
using StableVsr.Models.Raft;
using StableVsr.Tests.Support;
using TorchSharp;
using RaftModel = StableVsr.Models.Raft.Raft;

namespace StableVsr.Tests.Models.Raft;

public class RaftInputTests
{
    private RaftModel raft = null!;

    [OneTimeSetUp]
    public void CreateModel() => raft = new RaftModel();

    [OneTimeTearDown]
    public void DisposeModel() => raft.Dispose();

    [TestCase(120, 160)]
    [TestCase(128, 64)]
    [TestCase(64, 64)]
    public void RefusesImagesTooSmallForThePyramid(int h, int w)
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<InvalidInputException>(() => raft.forward(new RaftInput(torch.zeros(1, 3, h, w), torch.zeros(1, 3, h, w))));
        Assert.That(e!.Message, Does.Contain("too small").And.Contain("128"));
    }

    [Test]
    public void RefusesImagesOfDifferentShapes()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<InvalidInputException>(() => raft.forward(new RaftInput(torch.zeros(1, 3, 128, 128), torch.zeros(1, 3, 128, 136))));
        Assert.That(e!.Message, Does.Contain("same shape"));
    }

    [TestCase(132, 128)]
    [TestCase(128, 130)]
    public void RefusesSidesNotDivisibleBy8(int h, int w)
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<InvalidInputException>(() => raft.forward(new RaftInput(torch.zeros(1, 3, h, w), torch.zeros(1, 3, h, w))));
        Assert.That(e!.Message, Does.Contain("divisible by 8"));
    }

    [Test]
    public void RefusesImagesThatAreNotRgbBatches()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<InvalidInputException>(() => raft.forward(new RaftInput(torch.zeros(3, 128, 128), torch.zeros(3, 128, 128))));
        Assert.Throws<InvalidInputException>(() => raft.forward(new RaftInput(torch.zeros(1, 1, 128, 128), torch.zeros(1, 1, 128, 128))));
    }

    [Test]
    public void RefusesImagesOfAnotherDtype()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<InvalidInputException>(() => raft.forward(new RaftInput(torch.zeros(1, 3, 128, 128, torch.float64), torch.zeros(1, 3, 128, 128, torch.float64))));
        Assert.That(e!.Message, Does.Contain("Float32"));
    }

    [Test]
    public void RefusesZeroUpdates()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<InvalidInputException>(() => raft.forward(new RaftInput(torch.zeros(1, 3, 128, 128), torch.zeros(1, 3, 128, 128), 0)));
    }

    [Test]
    public void RefusesAMissingWeightsFile()
    {
        var e = Assert.Throws<ModelLoadException>(() => RaftModel.FromFile(Path.Combine(Path.GetTempPath(), "no-such-raft-" + Guid.NewGuid() + ".safetensors")));
        Assert.That(e!.Message, Does.Contain("do not exist"));
    }

    [Test]
    public void RefusesWeightsOfAnUnknownKind()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("raft.onnx"), "not a checkpoint");
        var e = Assert.Throws<ModelLoadException>(() => RaftModel.FromFile(folder.File("raft.onnx")));
        Assert.That(e!.Message, Does.Contain(".onnx").And.Contain(".pth"));
    }

    [Test]
    public void RefusesAConfigOutsideRaftLarge()
    {
        Assert.Throws<UnsupportedConfigException>(() => new RaftModel(new RaftConfig { FeatureEncoderLayers = [64, 64, 96, 128] }));
        Assert.Throws<UnsupportedConfigException>(() => new RaftModel(new RaftConfig { HiddenStateSize = 256 }));
    }

    [Test]
    public void ANetworkBuiltInsideADisposeScopeKeepsItsTensorsAfterTheScope()
    {
        RaftModel built;
        using (torch.NewDisposeScope())
        {
            built = new RaftModel();
        }

        using (built)
        using (var scope = torch.NewDisposeScope())
        {
            built.NormStatistics = RaftNormStatistics.Running;
            var flow = built.EstimateFlow(torch.zeros(1, 3, 128, 128), torch.zeros(1, 3, 128, 128), 1);
            Assert.That(flow.isfinite().all().item<bool>(), Is.True, "running statistics and parameters are still there");
            Assert.That(built.buffers().All(b => !b.IsInvalid), Is.True);
        }
    }

    [Test]
    public void RepeatedForwardsDoNotGrowNativeMemory()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        var a = torch.rand(1, 3, 128, 160) * 2 - 1;
        var b = torch.rand(1, 3, 128, 160) * 2 - 1;
        void Run(int times)
        {
            for (var i = 0; i < times; i++)
            {
                using var output = raft.forward(new RaftInput(a, b, 2, KeepAllPredictions: true));
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        // The allocator settles during the first calls (glibc raises its mmap threshold as blocks are freed),
        // so the steady state is judged on the last of three equal windows.
        Run(3);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var resident = new List<long> { ResidentBytes() };
        for (var window = 0; window < 3; window++)
        {
            Run(4);
            resident.Add(ResidentBytes());
            Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(live), "tensors left alive by forward");
        }

        var lastWindow = resident[^1] - resident[^2];
        TestContext.Out.WriteLine($"live tensors stay at {live}; RSS after each window of 4 forwards: {string.Join(", ", resident.Select(r => $"{r / 1e6:F1} MB"))}");
        Assert.That(lastWindow, Is.LessThan(16L << 20), "resident memory growth over the last 4 forwards");
    }

    private static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
