using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using StableVsr.Analyzers;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.Analyzers;

/// <summary>SVSR001 on small programs compiled against the TorchSharp the project uses.</summary>
[Parallelizable(ParallelScope.Self)]
public class ScalarLifetimeAnalyzerTests
{
    private static readonly ImmutableArray<MetadataReference> References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
        .ToImmutableArray();

    [TestCase("x.mul(0.5)", "'0.5' is converted to a TorchSharp Scalar")]
    [TestCase("x.clamp(0, 1)", "'0' is converted", "'1' is converted")]
    [TestCase("x + y", "operator +(torch.Tensor, torch.Tensor)")]
    [TestCase("x * 2", "operator *(torch.Tensor, int)")]
    [TestCase("1 - x", "operator -(int, torch.Tensor)")]
    [TestCase("x / 2.0", "operator /(torch.Tensor, double)")]
    [TestCase("x.add(y)", "torch.Tensor.add(torch.Tensor)")]
    [TestCase("x.add_(y)", "torch.Tensor.add_(torch.Tensor)")]
    [TestCase("x.addcdiv(y, y)", "torch.Tensor.addcdiv(torch.Tensor, torch.Tensor)")]
    [TestCase("x.square()", "torch.Tensor.square()")]
    [TestCase("torch.arange(10)", "torch.arange(Scalar, ", "'10' is converted")]
    [TestCase("torch.tensor(1.5f).ToSingle()", "ToSingle(torch.Tensor)")]
    [TestCase("optimizer.step()", "AdamW.step(")]
    [TestCase("x.gt(1e-5).sum()", "'1e-5' is converted to a TorchSharp Scalar")]
    [TestCase("x.pow(2)", "'2' is converted to a TorchSharp Scalar")]
    [TestCase("x.ToDouble()", "ToDouble(torch.Tensor)")]
    public void FlagsTemporaryScalars(string expression, params string[] expected)
    {
        var messages = Analyze(InMethod($"var result = {expression};"));
        Assert.That(messages, Has.Count.EqualTo(expected.Length), string.Join("\n", messages));
        foreach (var part in expected)
        {
            Assert.That(messages, Has.Some.Contain(part));
        }
    }

    [Test]
    public void FlagsAScalarInAPlainLocalBecauseTheJitMayEndItsLifeAtItsLastUse()
    {
        var messages = Analyze(InMethod("var half = 0.5.ToScalar(); var result = x.mul(half);"));
        Assert.That(messages, Has.Count.EqualTo(1).And.Some.Contain("'0.5.ToScalar()' is a TorchSharp Scalar that nothing keeps alive"));
    }

    [TestCase("using var half = 0.5.ToScalar(); var result = x.mul(half);")]
    [TestCase("using Scalar half = 0.5; var result = x.mul(half);")]
    [TestCase("using (var half = 0.5.ToScalar()) { x.mul(half).Dispose(); }")]
    [TestCase("var result = x.mul(Half).add(y, One);")]
    [TestCase("var result = x * y - y;")]
    [TestCase("var result = x.sub(y).div(y).pow(Half);")]
    [TestCase("var result = x.add(Half, One).add_(y, One).addcdiv(y, y, One);")]
    [TestCase("Cached = 2.0; var result = x.mul(Cached);")]
    public void AcceptsScalarsThatAreHeld(string statements)
    {
        Assert.That(Analyze(InMethod(statements)), Is.Empty);
    }

    [Test]
    public void AcceptsAScalarHandedBackToTheCaller()
    {
        const string source = """
            using TorchSharp;
            static class Factory
            {
                public static Scalar Of(double value) => value.ToScalar();
                public static Scalar Two() { return 2; }
            }
            """;
        Assert.That(Analyze(source), Is.Empty);
    }

    [Test]
    public void SaysNothingInCodeWithoutTorchSharp()
    {
        var compilation = CSharpCompilation.Create(
            "NoTorch",
            [CSharpSyntaxTree.ParseText("static class C { static double F(double x) => x * 2 + 1; }")],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.That(Diagnostics(compilation), Is.Empty);
    }

    [Test]
    public void EveryLibraryThatUsesTorchSharpRunsTheAnalyzer()
    {
        var projects = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "src"), "*.csproj", SearchOption.AllDirectories);
        var usingTorch = projects.Where(project => Directory
            .EnumerateFiles(Path.GetDirectoryName(project)!, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Any(file => Regex.IsMatch(File.ReadAllText(file), @"^using (static )?TorchSharp", RegexOptions.Multiline))).ToList();
        Assert.That(usingTorch, Has.Count.GreaterThanOrEqualTo(6));
        foreach (var project in usingTorch)
        {
            Assert.That(
                File.ReadAllText(project),
                Does.Contain("""<ProjectReference Include="../../analyzers/StableVsr.Analyzers/StableVsr.Analyzers.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" PrivateAssets="all" />"""),
                $"{Path.GetFileName(project)} uses TorchSharp without SVSR001");
        }
    }

    /// <summary>
    /// The tests run SVSR001 as well: a test helper's temporary Scalar ('diff.gt(1e-5)') was what a GC storm broke in the
    /// training parity test. Training, the test support and every parity test are checked; the exceptions are listed.
    /// </summary>
    [Test]
    public void TheTestsRunTheAnalyzerWithListedExceptionsOnly()
    {
        var tests = Path.Combine(RepositoryRoot.Path, "tests", "StableVsr.Tests");
        Assert.That(File.ReadAllText(Path.Combine(tests, "StableVsr.Tests.csproj")), Does.Contain("""<Analyzer Include="../../analyzers/StableVsr.Analyzers/bin/$(Configuration)/netstandard2.0/StableVsr.Analyzers.dll" />"""));
        var sections = File.ReadAllLines(Path.Combine(tests, ".editorconfig")).Where(line => line.StartsWith('[')).Select(line => line.Trim('[', ']')).ToList();
        Assert.That(sections, Is.Not.Empty.And.All.EndsWith(".cs"), "exceptions name single files, never folders or patterns");
        Assert.That(sections.Where(s => s.StartsWith("Training/", StringComparison.Ordinal) || s.StartsWith("Support/", StringComparison.Ordinal) || s.EndsWith("ParityTests.cs", StringComparison.Ordinal)), Is.Empty);
        Assert.That(sections.Where(s => !File.Exists(Path.Combine(tests, s))), Is.Empty, "no exception for a file that is gone");
    }

    private static string InMethod(string statements) => $$"""
        using TorchSharp;
        using static TorchSharp.torch;
        static class Snippet
        {
            private static readonly Scalar Half = 0.5;
            private static readonly Scalar One = 1;
            private static Scalar Cached { get; set; } = 1.0;

            public static void Run(Tensor x, Tensor y, TorchSharp.Modules.AdamW optimizer)
            {
                {{statements}}
            }
        }
        """;

    private static List<string> Analyze(string source)
    {
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(source)],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors, Is.Empty, "the snippet must compile: " + string.Join("\n", errors));
        return Diagnostics(compilation);
    }

    private static List<string> Diagnostics(Compilation compilation) => compilation
        .WithAnalyzers([new ScalarLifetimeAnalyzer()])
        .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult()
        .Select(d =>
        {
            Assert.That(d.Id, Is.EqualTo(ScalarLifetimeAnalyzer.Id));
            Assert.That(d.Severity, Is.EqualTo(DiagnosticSeverity.Error));
            return d.GetMessage();
        })
        .ToList();
}
