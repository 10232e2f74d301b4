using StableVsr.Sampling.Schedulers;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;

namespace StableVsr.Tests.Sampling.Schedulers;

public class SchedulerFactoryTests
{
    [Test]
    public void TheCheckpointsClassNameSelectsDdpm()
    {
        var config = SchedulerConfig.Load(Fixtures.Path("tiny-stablevsr", "scheduler", "scheduler_config.json"));

        var scheduler = SchedulerFactory.FromConfig(config);

        Assert.That(scheduler, Is.TypeOf<DdpmScheduler>());
        Assert.That(scheduler.ClassName, Is.EqualTo("DDPMScheduler"));
        Assert.That(scheduler.InitNoiseSigma, Is.EqualTo(1.0));
    }

    [Test]
    public void DdimBuiltFromTheDdpmConfigReadsItLikeFromConfig()
    {
        var config = SchedulerConfig.Load(Fixtures.Path("tiny-stablevsr", "scheduler", "scheduler_config.json"));

        var scheduler = SchedulerFactory.FromConfig(config, new DdimSchedulerOptions { Eta = 0.5 });

        // The DDPM file has no set_alpha_to_one, so DDIM's default (true) applies; variance_type is ignored.
        var ddim = scheduler as DdimScheduler;
        Assert.That(ddim, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(ddim!.Config.SetAlphaToOne, Is.True);
            Assert.That(ddim.Eta, Is.EqualTo(0.5));
            Assert.That(ddim.Config.PredictionType, Is.EqualTo(config.PredictionType));
        });
    }

    [Test]
    public void DdimClassNameSelectsDdim()
    {
        var config = new SchedulerConfig { ClassName = DdimSchedulerOptions.DiffusersClassName };

        Assert.That(SchedulerFactory.FromConfig(config), Is.TypeOf<DdimScheduler>());
    }

    [TestCase("PNDMScheduler")]
    [TestCase(null)]
    public void OtherOrMissingClassNamesNeedAnExplicitScheduler(string? className)
    {
        var config = new SchedulerConfig { ClassName = className, Source = "scheduler_config.json" };

        var error = Assert.Throws<UnsupportedConfigException>(() => SchedulerFactory.FromConfig(config));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Key, Is.EqualTo("_class_name"));
            Assert.That(error.Message, Does.Contain("DDPMScheduler").And.Contain("DDIMScheduler"));
            Assert.That(SchedulerFactory.FromConfig(config, new DdpmSchedulerOptions()), Is.TypeOf<DdpmScheduler>());
        });
    }
}
