using StableVsr.Tests.Support;

namespace StableVsr.Tests.Repository;

/// <summary>
/// A test class that needs something beyond the test process carries the category that says so (docs/testing.md), so
/// that a filter such as <c>TestCategory!=Video&amp;TestCategory!=Process</c> really leaves out what it names: the CLI
/// or dotnet run as a process (<c>Process</c>), FFmpeg (<c>Video</c>), an Orleans cluster or Redis (<c>Cluster</c>).
/// Read from the test sources: a class whose file uses one of the helpers below carries the category at class level.
/// </summary>
public class TestCategoryTests
{
    private static readonly (string Category, string[] Uses)[] Needs =
    [
        ("Process", ["CliProcess.", "DotnetCli.", "AppContext.BaseDirectory, \"stablevsr\""]),
        ("Video", ["TestMedia.", "videoFrames:", "VideoFileSource", "VideoFileSink"]),
        ("Cluster", ["ClusterHarness.StartAsync", "RedisServer.Start", "UpscaleClusterClient"]),
    ];

    [Test]
    public void EveryTestClassThatNeedsAProcessFfmpegOrAClusterCarriesItsCategory()
    {
        var missing = new List<string>();
        var sources = TestSourceFile.All().Where(s => Path.GetFileName(s.RelativePath) != $"{nameof(TestCategoryTests)}.cs").ToArray();
        foreach (var source in sources)
        {
            foreach (var (category, uses) in Needs)
            {
                if (uses.FirstOrDefault(use => source.Text.Contains(use, StringComparison.Ordinal)) is { } use && !source.Categories.Contains(category))
                {
                    missing.Add($"{source.RelativePath} uses {use} but its class has no [Category(\"{category}\")]");
                }
            }
        }

        Assert.That(sources, Has.Length.GreaterThan(100), "the test sources were found");
        Assert.That(missing, Is.Empty);
    }
}
