using System.Globalization;
using System.Text.RegularExpressions;
using StableVsr.Sampling.Schedulers;

namespace StableVsr.Tests.Sampling.Schedulers;

/// <summary>
/// DdimScheduler against diffusers 0.21.1's DDIMScheduler with the x4 upscaler's DDIM config (fixture
/// <c>cases/ddim.safetensors</c>): every timestep list and every step case (eta 0 and 1) in the file.
/// </summary>
[Category("Parity")]
[Category("GcStress")]
public partial class DdimSchedulerParityTests
{
    private const string FixtureName = "ddim.safetensors";
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
        var scheduler = new DdimScheduler(SchedulerFixture.Config(file, key, ("timestep_spacing", match.Groups["spacing"].Value)));

        scheduler.SetTimesteps(int.Parse(match.Groups["steps"].Value, CultureInfo.InvariantCulture));

        using var expected = file.Load(key);
        Assert.That(scheduler.Timesteps, Is.EqualTo(expected.data<long>().ToArray()));
    }

    [TestCaseSource(nameof(StepCases))]
    public void StepMatchesDiffusers(string key)
    {
        var match = StepKey().Match(key);
        using var file = SchedulerFixture.Open(FixtureName);
        var config = SchedulerFixture.Config(file, key, ("prediction_type", match.Groups["prediction"].Value));
        var eta = double.Parse(match.Groups["eta"].Value, CultureInfo.InvariantCulture);
        var scheduler = new DdimScheduler(config, eta);
        scheduler.SetTimesteps(int.Parse(file.Metadata["num_inference_steps_for_step_cases"], CultureInfo.InvariantCulture));
        var timestep = long.Parse(match.Groups["t"].Value, CultureInfo.InvariantCulture);

        SchedulerFixture.AssertStepMatches(file, key, scheduler, timestep, Tolerance);
    }

    [GeneratedRegex(@"^timesteps_(?<spacing>[a-z]+)_(?<steps>\d+)$")]
    private static partial Regex TimestepKey();

    [GeneratedRegex(@"^step_(?<prediction>.+)_eta(?<eta>[0-9.]+)_t(?<t>\d+)_prev$")]
    private static partial Regex StepKey();
}
