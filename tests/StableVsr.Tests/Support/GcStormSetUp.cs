using StableVsr.Tests.Support;

namespace StableVsr.Tests;

/// <summary>
/// Runs every test of the assembly under a <see cref="GcStorm"/> when <see cref="GcStorm.EnvironmentVariable"/> is set:
/// CI's second pass over the TorchSharp numerics (parity, training, pipeline) proves that nothing native code still
/// reads is left to the collector. Set <c>DOTNET_TieredCompilation=0</c> with it, so that methods run optimised from
/// the first call (unoptimised code keeps temporaries alive to the end of the method and hides such bugs).
/// </summary>
[SetUpFixture]
public sealed class GcStormSetUp
{
    private GcStorm? storm;

    [OneTimeSetUp]
    public void StartStorm()
    {
        if (GcStorm.RequestedByEnvironment)
        {
            storm = GcStorm.Start();
            TestContext.Progress.WriteLine($"{GcStorm.EnvironmentVariable}: every test runs under a garbage-collection storm.");
        }
    }

    [OneTimeTearDown]
    public void StopStorm()
    {
        if (storm is not null)
        {
            TestContext.Progress.WriteLine($"{GcStorm.EnvironmentVariable}: {storm.Collections} collections.");
            storm.Dispose();
        }
    }
}
