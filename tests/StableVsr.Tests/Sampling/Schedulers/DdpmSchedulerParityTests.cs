using System.Text.RegularExpressions;
using StableVsr.Sampling.Schedulers;

namespace StableVsr.Tests.Sampling.Schedulers;

/// <summary>
/// DdpmScheduler against diffusers 0.21.1's DDPMScheduler (fixture <c>cases/ddpm.safetensors</c>): every timestep
/// list and every step case in the file, with the config from its metadata.
/// </summary>
[Category("Parity")]
[Category("GcStress")]
public partial class DdpmSchedulerParityTests
{
    private const string FixtureName = "ddpm.safetensors";

    // fixtures/README.md: the ddpm step cases use 50 inference steps (the file records no count; ddim's does).
    private const int DefaultStepCaseInferenceSteps = 50;

    private const double Tolerance = 1e-4;

    public static IEnumerable<TestCaseData> TimestepCases() =>
        SchedulerFixture.Keys(FixtureName).Where(k => TimestepKey().IsMatch(k)).Select(k => new TestCaseData(k).SetName(k));

    public static IEnumerable<TestCaseData> StepCases() =>
        SchedulerFixture.Keys(FixtureName).Where(k => StepKey().IsMatch(k)).Select(k => new TestCaseData(k).SetName(k));

    [TestCaseSource(nameof(TimestepCases))]
    public void TimestepsEqualDiffusers(string key)
    {
        var match = TimestepKey().Match(key);
        using var file = SchedulerFixture.Open(FixtureName);
        var config = SchedulerFixture.Config(file, key, ("timestep_spacing", match.Groups["spacing"].Value));
        var scheduler = new DdpmScheduler(config);

        scheduler.SetTimesteps(int.Parse(match.Groups["steps"].Value, System.Globalization.CultureInfo.InvariantCulture));

        using var expected = file.Load(key);
        Assert.That(scheduler.Timesteps, Is.EqualTo(expected.data<long>().ToArray()));
    }

    [TestCaseSource(nameof(StepCases))]
    public void StepMatchesDiffusers(string key)
    {
        var match = StepKey().Match(key);
        using var file = SchedulerFixture.Open(FixtureName);
        var config = SchedulerFixture.Config(
            file,
            key,
            ("prediction_type", match.Groups["prediction"].Value),
            ("clip_sample", match.Groups["clip"].Value == "clip"),
            ("variance_type", match.Groups["variance"].Value));
        var scheduler = new DdpmScheduler(config);
        var steps = file.Metadata.TryGetValue("num_inference_steps_for_step_cases", out var recorded)
            ? int.Parse(recorded, System.Globalization.CultureInfo.InvariantCulture)
            : DefaultStepCaseInferenceSteps;
        scheduler.SetTimesteps(steps);
        var timestep = long.Parse(match.Groups["t"].Value, System.Globalization.CultureInfo.InvariantCulture);

        SchedulerFixture.AssertStepMatches(file, key, scheduler, timestep, Tolerance);
    }

    [GeneratedRegex(@"^timesteps_(?<spacing>[a-z]+)_(?<steps>\d+)$")]
    private static partial Regex TimestepKey();

    [GeneratedRegex(@"^step_(?<prediction>.+?)_(?<clip>clip|noclip)_(?<variance>.+)_t(?<t>\d+)_prev$")]
    private static partial Regex StepKey();
}
