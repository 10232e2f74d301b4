using System.Text.Json.Nodes;
using StableVsr.Tests.Support;
using StableVsr.Weights.Configs;

namespace StableVsr.Tests.Sampling.Schedulers;

public class SchedulerConfigTests
{
    [Test]
    public void LoadsTheCheckpointsSchedulerConfig()
    {
        var path = Fixtures.Path("tiny-stablevsr", "scheduler", "scheduler_config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;

        var config = SchedulerConfig.Load(path);

        Assert.Multiple(() =>
        {
            Assert.That(config.Source, Is.EqualTo(path));
            Assert.That(config.ClassName, Is.EqualTo((string?)json["_class_name"]));
            Assert.That(config.NumTrainTimesteps, Is.EqualTo((int)json["num_train_timesteps"]!));
            Assert.That(config.BetaStart, Is.EqualTo((double)json["beta_start"]!));
            Assert.That(config.BetaEnd, Is.EqualTo((double)json["beta_end"]!));
            Assert.That(config.BetaSchedule.ToString(), Is.EqualTo(Pascal((string)json["beta_schedule"]!)));
            Assert.That(config.PredictionType.ToString(), Is.EqualTo(Pascal((string)json["prediction_type"]!)));
            Assert.That(config.VarianceType.ToString(), Is.EqualTo(Pascal((string)json["variance_type"]!)));
            Assert.That(config.TimestepSpacing.ToString(), Is.EqualTo(Pascal((string)json["timestep_spacing"]!)));
            Assert.That(config.ClipSample, Is.EqualTo((bool)json["clip_sample"]!));
            Assert.That(config.ClipSampleRange, Is.EqualTo((double)json["clip_sample_range"]!));
            Assert.That(config.Thresholding, Is.EqualTo((bool)json["thresholding"]!));
            Assert.That(config.DynamicThresholdingRatio, Is.EqualTo((double)json["dynamic_thresholding_ratio"]!));
            Assert.That(config.SampleMaxValue, Is.EqualTo((double)json["sample_max_value"]!));
            Assert.That(config.StepsOffset, Is.EqualTo((int)json["steps_offset"]!));
            Assert.That(config.TrainedBetas, Is.Null);
        });
    }

    [Test]
    public void AbsentKeysTakeDiffusersDefaults()
    {
        var config = SchedulerConfig.Parse("{}", "empty");

        // DDPMScheduler / DDIMScheduler __init__ defaults in diffusers 0.21.1.
        Assert.That(config, Is.EqualTo(new SchedulerConfig
        {
            Source = "empty",
            NumTrainTimesteps = 1000,
            BetaStart = 0.0001,
            BetaEnd = 0.02,
            BetaSchedule = BetaSchedule.Linear,
            VarianceType = VarianceType.FixedSmall,
            ClipSample = true,
            ClipSampleRange = 1.0,
            PredictionType = PredictionType.Epsilon,
            Thresholding = false,
            DynamicThresholdingRatio = 0.995,
            SampleMaxValue = 1.0,
            TimestepSpacing = TimestepSpacing.Leading,
            StepsOffset = 0,
            SetAlphaToOne = true,
            RescaleBetasZeroSnr = false,
        }));
    }

    [Test]
    public void ReadsDdimKeysAndTrainedBetas()
    {
        var config = SchedulerConfig.Parse(
            """{"num_train_timesteps": 3, "trained_betas": [0.1, 0.2, 0.3], "set_alpha_to_one": false, "rescale_betas_zero_snr": true, "beta_schedule": "squaredcos_cap_v2"}""",
            "inline");

        Assert.Multiple(() =>
        {
            Assert.That(config.TrainedBetas, Is.EqualTo(new[] { 0.1, 0.2, 0.3 }));
            Assert.That(config.SetAlphaToOne, Is.False);
            Assert.That(config.RescaleBetasZeroSnr, Is.True);
            Assert.That(config.BetaSchedule, Is.EqualTo(BetaSchedule.SquaredCosCapV2));
        });
    }

    [TestCase("beta_schedule", "foo")]
    [TestCase("prediction_type", "noise")]
    [TestCase("variance_type", "fixed_medium")]
    [TestCase("timestep_spacing", "karras")]
    public void UnknownOptionNamesAreUnsupported(string key, string value)
    {
        var json = new JsonObject { [key] = value }.ToJsonString();

        var error = Assert.Throws<UnsupportedConfigException>(() => SchedulerConfig.Parse(json, "scheduler_config.json"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Key, Is.EqualTo(key));
            Assert.That(error.Value, Is.EqualTo(value));
            Assert.That(error.Message, Does.Contain(key).And.Contain(value).And.Contain("scheduler_config.json"));
        });
    }

    [TestCase("""{"num_train_timesteps": "1000"}""", "num_train_timesteps")]
    [TestCase("""{"beta_start": "small"}""", "beta_start")]
    [TestCase("""{"clip_sample": 1}""", "clip_sample")]
    [TestCase("""{"beta_schedule": 3}""", "beta_schedule")]
    [TestCase("""{"trained_betas": 0.1}""", "trained_betas")]
    [TestCase("""{"num_train_timesteps": 0}""", "num_train_timesteps")]
    [TestCase("""{"num_train_timesteps": 4, "trained_betas": [0.1, 0.2]}""", "trained_betas")]
    [TestCase("""{"steps_offset": -1}""", "steps_offset")]
    [TestCase("""{"thresholding": true, "dynamic_thresholding_ratio": 1.5}""", "dynamic_thresholding_ratio")]
    public void WrongTypesOrRangesAreConfigErrors(string json, string key)
    {
        var error = Assert.Throws<ConfigException>(() => SchedulerConfig.Parse(json, "scheduler_config.json"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Key, Is.EqualTo(key));
            Assert.That(error.Message, Does.Contain(key).And.Contain("scheduler_config.json"));
        });
    }

    [Test]
    public void MissingFileIsAConfigError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "scheduler_config.json");

        Assert.Throws<ConfigException>(() => SchedulerConfig.Load(path));
    }

    // diffusers' option names are snake_case spellings of the enum members.
    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
