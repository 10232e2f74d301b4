using System.Text.RegularExpressions;

namespace StableVsr.Tests.Support;

/// <summary>
/// A test class's source file, for the repository tests that read what test classes use and declare: its text, and the
/// attribute lines right above its first class declaration.
/// </summary>
public sealed partial record TestSourceFile(string RelativePath, string Text, string ClassAttributes)
{
    /// <summary>Every file of the test project that holds a test (a line that starts with <c>[Test]</c> or <c>[TestCase</c>), bin/ and obj/ left out.</summary>
    public static IReadOnlyList<TestSourceFile> All()
    {
        var folder = Path.Combine(RepositoryRoot.Path, "tests", "StableVsr.Tests");
        var separator = Path.DirectorySeparatorChar;
        var files = new List<TestSourceFile>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            if (!TestAttribute().IsMatch(text))
            {
                continue;
            }

            var declaration = ClassDeclaration().Match(text);
            var relative = Path.GetRelativePath(folder, file);
            if (!declaration.Success)
            {
                throw new InvalidOperationException($"{relative}: a test file without a class declaration at the start of a line.");
            }

            files.Add(new TestSourceFile(relative, text, declaration.Groups["attributes"].Value));
        }

        return files;
    }

    /// <summary>The names given by <c>[Category("...")]</c> on the class.</summary>
    public IReadOnlySet<string> Categories =>
        CategoryAttribute().Matches(ClassAttributes).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

    // The attribute lines right above the first class declaration of the file.
    [GeneratedRegex(@"(?<attributes>(?:^\[[^\r\n]*\]\r?\n)*)^(?:public |internal )(?:sealed |static |abstract )?(?:partial )?class ", RegexOptions.Multiline)]
    private static partial Regex ClassDeclaration();

    [GeneratedRegex(@"^\s*\[(?:Test|TestCase|TestCaseSource)\b", RegexOptions.Multiline)]
    private static partial Regex TestAttribute();

    [GeneratedRegex(@"Category\(""(?<name>[^""]+)""\)")]
    private static partial Regex CategoryAttribute();
}
