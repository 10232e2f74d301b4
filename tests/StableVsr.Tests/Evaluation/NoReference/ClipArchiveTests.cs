using System.IO.Compression;
using System.Text;
using StableVsr.Tests.Support;
using StableVsr.Weights;
using StableVsr.Weights.Pickle;

namespace StableVsr.Tests.Evaluation.NoReference;

/// <summary>
/// OpenAI's CLIP ships as a TorchScript archive; it is read by the restricted unpickler, which turns the scripted
/// module into its tensors and never runs (or reads) its code. Damaged or hostile variants are refused.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class ClipArchiveTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void TheArchiveReadsAsTheManifestsStateDict()
    {
        using var reference = IqaCase.Open();
        using var archive = PickleCheckpoint.Open(IqaCase.ClipWeights);
        var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Fixtures.Path("iqa", "clipiqa_random.json"))).RootElement.GetProperty("keys");

        Assert.That(archive.Keys, Is.EquivalentTo(manifest.EnumerateObject().Select(p => p.Name)));
        foreach (var entry in manifest.EnumerateObject())
        {
            var info = archive.GetInfo(entry.Name);
            Assert.That(info.Shape, Is.EqualTo(entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())), entry.Name);
            Assert.That(info.DType.ToString(), Is.EqualTo(entry.Value.GetProperty("dtype").GetString() switch { "float16" => "F16", "float32" => "F32", "int64" => "I64", var other => other }), entry.Name);
        }

        Assert.That(archive.IgnoredEntries, Has.Some.EndsWith("training"), "module attributes that are not tensors are skipped");
    }

    [Test]
    public void ATruncatedArchiveIsRefused()
    {
        var path = folder.File("RN50.pt");
        var bytes = File.ReadAllBytes(IqaCase.ClipWeights);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        Assert.Throws(Is.InstanceOf<CheckpointFormatException>(), () => PickleCheckpoint.Open(path).Dispose());
    }

    [Test]
    public void ScriptObjectsAreOnlyAcceptedInTorchScriptArchives()
    {
        // The same data.pkl without constants.pkl beside it is a plain torch.save file, where __torch__ classes never belong.
        var path = Rewrite("plain.pth", (name, data) => name.EndsWith("constants.pkl", StringComparison.Ordinal) ? null : data);

        var error = Assert.Throws<UnsafePickleException>(() => PickleCheckpoint.Open(path).Dispose());
        Assert.That(error!.Message, Does.Contain("__torch__.pyiqa.archs.clip_model.CLIP"));
    }

    [TestCase("cos\nsystem\n", "os.system")]
    [TestCase("cbuiltins\neval\n", "builtins.eval")]
    public void APickleNamingOtherGlobalsIsRefused(string global, string named)
    {
        var path = Rewrite("hostile.pt", (name, data) => name.EndsWith("/data.pkl", StringComparison.Ordinal) ? Pickle(global + "(X\u0004\u0000\u0000\u0000echotR.") : data);

        var error = Assert.Throws<UnsafePickleException>(() => PickleCheckpoint.Open(path).Dispose());
        Assert.That(error!.Message, Does.Contain(named));
    }

    [TestCase("ccollections\nOrderedDict\n)\u0081.", "NEWOBJ builds collections.OrderedDict")]
    [TestCase("c__torch__.m\nX\n(K\u0001t\u0081.", "without arguments")]
    [TestCase("c__torch__.m\nX\n)R.", "REDUCE calls __torch__.m.X")]
    [TestCase("c__torch__.m\nX\n)\u0081K\u0001b.", "not a dict of attributes")]
    public void ScriptObjectsAreNeverCalledOrBuiltFromArguments(string body, string message)
    {
        var path = Rewrite("odd.pt", (name, data) => name.EndsWith("/data.pkl", StringComparison.Ordinal) ? Pickle(body) : data);

        var error = Assert.Throws(Is.InstanceOf<CheckpointFormatException>(), () => PickleCheckpoint.Open(path).Dispose());
        Assert.That(error!.Message, Does.Contain(message));
    }

    private static byte[] Pickle(string body) => [0x80, 0x02, .. Encoding.Latin1.GetBytes(body)];

    // Copies the fixture archive member by member (stored, as torch writes them), changing or dropping some.
    private string Rewrite(string fileName, Func<string, byte[], byte[]?> change)
    {
        var path = folder.File(fileName);
        using var source = ZipFile.OpenRead(IqaCase.ClipWeights);
        using var target = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            if (entry.FullName.Contains("/code/", StringComparison.Ordinal))
            {
                continue;
            }

            using var input = entry.Open();
            using var copy = new MemoryStream();
            input.CopyTo(copy);
            var data = change(entry.FullName, copy.ToArray());
            if (data is null)
            {
                continue;
            }

            using var output = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
            output.Write(data);
        }

        return path;
    }
}
