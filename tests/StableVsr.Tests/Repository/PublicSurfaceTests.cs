using System.Reflection;
using StableVsr.IO;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Pipeline;
using StableVsr.Tests.Support;
using StableVsr.Weights.Hub;

namespace StableVsr.Tests.Repository;

/// <summary>
/// The inference libraries keep a small public surface (what a host calls), every log message has an event id and no
/// well-known weight is named outside its descriptor.
/// </summary>
public class PublicSurfaceTests
{
    private static readonly Assembly[] InferenceLibraries =
    [
        typeof(UpscaleOptions).Assembly, typeof(IFrameSource).Assembly, typeof(PretrainedWeights).Assembly, typeof(StableVsrModels).Assembly, typeof(StableVsrPipeline).Assembly,
    ];

    [Test]
    public void TheFiveInferenceLibrariesExposeAtMost75Types()
    {
        var types = InferenceLibraries.SelectMany(a => a.GetExportedTypes().Select(t => (Library: a.GetName().Name, t.FullName))).ToArray();
        foreach (var library in types.GroupBy(t => t.Library))
        {
            TestContext.Out.WriteLine($"{library.Key}: {library.Count()}: {string.Join(", ", library.Select(t => t.FullName!.Split('.')[^1]))}");
        }

        Assert.That(types, Has.Length.LessThanOrEqualTo(75));
    }

    [Test]
    public void EveryLogMessageOutsideEvaluationIsSourceGeneratedWithAnEventId()
    {
        var offenders = new List<string>();
        foreach (var file in SourceFiles().Where(f => !f.Contains($"{Path.DirectorySeparatorChar}StableVsr.Evaluation{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            foreach (var call in new[] { ".LogTrace(", ".LogDebug(", ".LogInformation(", ".LogWarning(", ".LogError(", ".LogCritical(" })
            {
                if (text.Contains(call, StringComparison.Ordinal))
                {
                    offenders.Add($"{Relative(file)}: {call}");
                }
            }

            for (var at = text.IndexOf("[LoggerMessage(", StringComparison.Ordinal); at >= 0; at = text.IndexOf("[LoggerMessage(", at + 1, StringComparison.Ordinal))
            {
                var attribute = text[at..text.IndexOf(")]", at, StringComparison.Ordinal)];
                if (!attribute.Contains("EventId = LoggerEventIds.", StringComparison.Ordinal))
                {
                    offenders.Add($"{Relative(file)}: a [LoggerMessage] without an id from LoggerEventIds");
                }
            }
        }

        Assert.That(offenders, Is.Empty);
    }

    [Test]
    public void EachLibrarysEventIdsAreDistinct()
    {
        var libraries = InferenceLibraries.Append(typeof(StableVsr.Orleans.UpscaleJobOptions).Assembly).Append(typeof(StableVsr.Training.TrainingOptions).Assembly);
        foreach (var library in libraries)
        {
            var ids = library.GetTypes().Where(t => t.Name == "LoggerEventIds")
                .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (int)f.GetRawConstantValue()!))
                .ToArray();
            Assert.That(ids, Is.Unique, library.GetName().Name);
        }
    }

    [TestCase("claudiom4sir/StableVSR")]
    [TestCase("download.pytorch.org")]
    public void AWellKnownWeightIsNamedOnlyInItsDescriptor(string literal)
    {
        var places = SourceFiles()
            .Where(f => File.ReadLines(f).Any(line => line.Contains(literal, StringComparison.Ordinal) && !line.TrimStart().StartsWith("///", StringComparison.Ordinal)))
            .Select(Relative)
            .ToArray();

        Assert.That(places, Is.EqualTo(new[] { Path.Combine("src", "StableVsr.Weights", "Hub", "PretrainedWeights.cs") }));
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    private static string Relative(string file) => Path.GetRelativePath(RepositoryRoot.Path, file);
}
