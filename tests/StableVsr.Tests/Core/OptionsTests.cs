namespace StableVsr.Tests.Core;

public class OptionsTests
{
    [Test]
    public void DefaultsAreStableVsrs()
    {
        var options = UpscaleOptions.Default;
        Assert.That(options.Sampling.Steps, Is.EqualTo(50));
        Assert.That(options.Sampling.Scheduler, Is.Null, "the checkpoint's own scheduler (DDPM for StableVSR)");
        Assert.That(options.Device, Is.EqualTo(ComputeDevice.Auto));
        Assert.That(options.Sampling.Prompt, Is.Empty);
        Assert.That(options.Precision, Is.EqualTo(PrecisionPolicy.Float32));
        Assert.That(options.Sampling.RaftIterations, Is.EqualTo(12));
        Assert.That(options.Sampling.RaftNormalization, Is.EqualTo(RaftNormStatistics.PerSample), "StableVSR's test.py runs RAFT in training mode, one pair per call");
        Assert.That(options.StateDevice, Is.Null, "state stays on the compute device");
        Assert.That(options.Sampling.HalfPrecisionFlows, Is.False);
        Assert.That(options.Sampling.VaeTileSize, Is.Null, "whole-frame decode");
        Assert.That(options.SequenceBatchSize, Is.EqualTo(4));
        Assert.DoesNotThrow(options.Validate);
    }

    [Test]
    public void RefusesARaftNormalizationThePipelineCannotUse()
    {
        foreach (var statistics in new[] { RaftNormStatistics.Batch, (RaftNormStatistics)7 })
        {
            var ex = Assert.Throws<InvalidInputException>(() => (UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { RaftNormalization = statistics } }).Validate());
            Assert.That(ex!.Message, Does.Contain("RaftNormalization").And.Contain("PerSample"));
        }

        Assert.DoesNotThrow((UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { RaftNormalization = RaftNormStatistics.Running } }).Validate);
    }

    [TestCase("auto", ComputeDeviceKind.Auto, null)]
    [TestCase("cpu", ComputeDeviceKind.Cpu, null)]
    [TestCase("CUDA", ComputeDeviceKind.Cuda, null)]
    [TestCase("cuda:1", ComputeDeviceKind.Cuda, 1)]
    public void ParsesDevices(string name, ComputeDeviceKind kind, int? index)
    {
        Assert.That(ComputeDevice.Parse(name), Is.EqualTo(new ComputeDevice(kind, index)));
    }

    [TestCase("gpu")]
    [TestCase("cuda:")]
    [TestCase("cuda:-1")]
    [TestCase("cuda:x")]
    public void RefusesUnknownDevices(string name)
    {
        var ex = Assert.Throws<InvalidInputException>(() => ComputeDevice.Parse(name));
        Assert.That(ex!.Message, Does.Contain(name).And.Contain("cuda:N"));
    }

    [Test]
    public void ValidateNamesTheBadValue()
    {
        Assert.That(Assert.Throws<InvalidInputException>(() => (UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 0 } }).Validate())!.Message, Does.Contain("Steps"));
        Assert.That(Assert.Throws<InvalidInputException>(() => (UpscaleOptions.Default with { CpuThreads = 0 }).Validate())!.Message, Does.Contain("CpuThreads"));
        Assert.That(Assert.Throws<InvalidInputException>(() => (UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Scheduler = new DdimSchedulerOptions { Eta = -1 } } }).Validate())!.Message, Does.Contain("Eta"));
    }

    [TestCase(4)]
    [TestCase(10)]
    [TestCase(-8)]
    public void RefusesVaeTileSizesTheTiledDecodeCannotUse(int tile)
    {
        var ex = Assert.Throws<InvalidInputException>(() => (UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { VaeTileSize = tile } }).Validate());
        Assert.That(ex!.Message, Does.Contain("VaeTileSize").And.Contain("multiple of 4"));
    }

    [Test]
    public void RefusesBadStateDevicesAndBatchSizes()
    {
        Assert.That(Assert.Throws<InvalidInputException>(() => (UpscaleOptions.Default with { StateDevice = ComputeDevice.Auto }).Validate())!.Message, Does.Contain("StateDevice"));
        Assert.That(Assert.Throws<InvalidInputException>(() => (UpscaleOptions.Default with { SequenceBatchSize = 0 }).Validate())!.Message, Does.Contain("SequenceBatchSize"));
        Assert.DoesNotThrow((UpscaleOptions.Default with { StateDevice = ComputeDevice.Cpu, SequenceBatchSize = 1, Sampling = SamplingOptions.Default with { VaeTileSize = 16, HalfPrecisionFlows = true } }).Validate);
    }

    [Test]
    public void ProgressEstimatesTimeLeft()
    {
        var progress = UpscaleProgress.Working(UpscalePhase.Denoising, 0, 4, 1, 5, TimeSpan.FromSeconds(10), 0.25);
        Assert.That(progress.EstimatedRemaining, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(progress with { Fraction = 0 }, Has.Property(nameof(UpscaleProgress.EstimatedRemaining)).Null);
        var reading = UpscaleProgress.Reading(3, 4, 5, TimeSpan.FromSeconds(1));
        Assert.That((reading.Phase, reading.Frame, reading.Step, reading.Fraction), Is.EqualTo((UpscalePhase.Reading, 3, 0, 0.0)));
        var completed = UpscaleProgress.Completed(4, 5, TimeSpan.FromSeconds(40));
        Assert.That((completed.Phase, completed.Frame, completed.Fraction, completed.EstimatedRemaining), Is.EqualTo((UpscalePhase.Completed, -1, 1.0, (TimeSpan?)TimeSpan.Zero)));
    }
}
