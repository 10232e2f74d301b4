using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Weights.Safetensors;

public class SafetensorsWriterTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void RoundTripsEveryDTypeAndMetadata()
    {
        var tensors = new Dictionary<string, torch.Tensor>
        {
            ["f32"] = torch.randn(3, 4),
            ["f16"] = torch.randn(5).to(torch.float16),
            ["bf16"] = torch.randn(2, 2).to(torch.bfloat16),
            ["f64"] = torch.randn(2, dtype: torch.float64),
            ["i64"] = torch.arange(7),
            ["i32"] = torch.arange(3, dtype: torch.int32),
            ["u8"] = torch.arange(9, dtype: torch.uint8),
            ["bool"] = torch.tensor(new[] { true, false, true }),
            ["scalar"] = torch.tensor(2.5f),
            ["strided"] = torch.randn(4, 3).t(),
        };
        var path = folder.File("all.safetensors");

        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["note"] = "hello" });

        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Keys, Is.EqualTo(tensors.Keys));
        Assert.That(file.Metadata["note"], Is.EqualTo("hello"));
        foreach (var (key, expected) in tensors)
        {
            using var loaded = file.Load(key);
            Assert.That(loaded.dtype, Is.EqualTo(expected.dtype), key);
            Assert.That(loaded.Equals(expected), Is.True, key);
        }

        Assert.That((new FileInfo(path).Length - 8 - tensors.Values.Sum(t => t.numel() * t.ElementSize)) % 8, Is.Zero, "the data area starts on an 8-byte boundary");
        Assert.That(Directory.GetFiles(folder.Path), Is.EqualTo(new[] { path }), "no temporary file is left behind");
    }

    [Test]
    public void CopiesATensorSource()
    {
        var path = folder.File("copy.safetensors");
        using var original = SafetensorsFile.Open(Fixtures.Case("ddpm.safetensors"));

        SafetensorsWriter.Write(path, original, original.Metadata);

        using var copy = SafetensorsFile.Open(path);
        Assert.That(copy.Keys, Is.EqualTo(original.Keys));
        Assert.That(copy.Metadata, Is.EqualTo(original.Metadata));
        foreach (var key in original.Keys)
        {
            using var a = original.Load(key);
            using var b = copy.Load(key);
            Assert.That(b.Equals(a), Is.True, key);
        }
    }

    [Test]
    public void RefusesDuplicateKeysWithoutTouchingTheTarget()
    {
        var path = folder.File("dup.safetensors");
        File.WriteAllText(path, "previous");
        var tensors = new[]
        {
            new KeyValuePair<string, torch.Tensor>("w", torch.ones(1)),
            new KeyValuePair<string, torch.Tensor>("w", torch.ones(1)),
        };

        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, tensors));
        Assert.That(File.ReadAllText(path), Is.EqualTo("previous"));
        Assert.That(Directory.GetFiles(folder.Path), Has.Length.EqualTo(1));
    }
}
