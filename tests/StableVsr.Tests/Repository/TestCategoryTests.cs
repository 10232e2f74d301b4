using System.Text.RegularExpressions;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Repository;

/// <summary>
/// A test class that needs something beyond the test process carries the category that says so (docs/testing.md), so
/// that a filter such as <c>TestCategory!=Video&amp;TestCategory!=Process</c> really leaves out what it names: the CLI
/// or dotnet run as a process (<c>Process</c>), FFmpeg (<c>Video</c>), an Orleans cluster or Redis (<c>Cluster</c>).
/// Read from the test sources: a class whose file uses one of the helpers below carries the category at class level.
/// </summary>
public partial class TestCategoryTests
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
        var folder = Path.Combine(RepositoryRoot.Path, "tests", "StableVsr.Tests");
        var missing = new List<string>();
        var checkedClasses = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            if (Path.GetFileName(file) == $"{nameof(TestCategoryTests)}.cs" || (!text.Contains("[Test]", StringComparison.Ordinal) && !text.Contains("[TestCase", StringComparison.Ordinal)))
            {
                continue;
            }

            var declaration = ClassDeclaration().Match(text);
            Assert.That(declaration.Success, Is.True, $"{file}: a test file without a class declaration at the start of a line");
            var categories = CategoryAttribute().Matches(declaration.Groups["attributes"].Value).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
            checkedClasses++;
            foreach (var (category, uses) in Needs)
            {
                if (uses.FirstOrDefault(use => text.Contains(use, StringComparison.Ordinal)) is { } use && !categories.Contains(category))
                {
                    missing.Add($"{Path.GetRelativePath(folder, file)} uses {use} but its class has no [Category(\"{category}\")]");
                }
            }
        }

        Assert.That(checkedClasses, Is.GreaterThan(100), "the test sources were found");
        Assert.That(missing, Is.Empty);
    }

    // The attribute lines right above the first class declaration of the file.
    [GeneratedRegex(@"(?<attributes>(?:^\[[^\r\n]*\]\r?\n)*)^(?:public |internal )(?:sealed |static |abstract )?(?:partial )?class ", RegexOptions.Multiline)]
    private static partial Regex ClassDeclaration();

    [GeneratedRegex(@"Category\(""(?<name>[^""]+)""\)")]
    private static partial Regex CategoryAttribute();
}
