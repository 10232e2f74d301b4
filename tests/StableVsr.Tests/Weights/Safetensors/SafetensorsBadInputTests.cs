using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using StableVsr.Weights;

namespace StableVsr.Tests.Weights.Safetensors;

public class SafetensorsBadInputTests
{
    private const string OneTensor = """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void TruncatedFile()
    {
        var path = RawSafetensors.Write(folder.File("t.safetensors"), OneTensor, RawSafetensors.Floats(1, 2));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);

        AssertRefused(path, "data_offsets [0, 8] outside the data area of 5 bytes");
    }

    [Test]
    public void FileShorterThanTheLengthField()
    {
        var path = folder.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        AssertRefused(path, "shorter than the 8-byte header length");
    }

    [Test]
    public void HeaderLengthPastTheEnd()
    {
        var path = RawSafetensors.Write(folder.File("past.safetensors"), OneTensor, RawSafetensors.Floats(1, 2), declaredLength: 5000);

        AssertRefused(path, "header length field says 5000 bytes but only");
    }

    [Test]
    public void AbsurdHeaderLengthAllocatesNothing()
    {
        var path = RawSafetensors.Write(folder.File("absurd.safetensors"), OneTensor, RawSafetensors.Floats(1, 2), declaredLength: ulong.MaxValue - 7);
        var before = GC.GetAllocatedBytesForCurrentThread();

        AssertRefused(path, "more than the");

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1_000_000), "no buffer may be sized from the declared length");
    }

    [Test]
    public void InvalidJson()
    {
        var path = RawSafetensors.Write(folder.File("json.safetensors"), """{"w":{"dtype":"F32",""", []);

        AssertRefused(path, "not valid UTF-8 JSON");
    }

    [Test]
    public void InvalidUtf8()
    {
        var header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"x\":\"\"}"u8.ToArray();
        header[^3] = 0xFF;
        var path = RawSafetensors.WriteBytes(folder.File("utf8.safetensors"), header, []);

        AssertRefused(path, "not valid UTF-8 JSON");
    }

    [Test]
    public void HeaderThatIsNotAnObject()
    {
        var path = RawSafetensors.Write(folder.File("array.safetensors"), "[1,2]", []);

        AssertRefused(path, "does not start with '{'");
    }

    [Test]
    public void UnknownDType()
    {
        var path = RawSafetensors.Write(folder.File("dtype.safetensors"), """{"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}""", new byte[8]);

        AssertRefused(path, "dtype 'F8_E4M3'");
    }

    [Test]
    public void ShapeDisagreesWithByteRange()
    {
        var path = RawSafetensors.Write(folder.File("shape.safetensors"), """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]);

        AssertRefused(path, "(12 bytes) but data_offsets [0, 8] span 8 bytes");
    }

    [Test]
    public void OffsetsOutOfRange()
    {
        var path = RawSafetensors.Write(folder.File("range.safetensors"), """{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", new byte[8]);

        AssertRefused(path, "outside the data area of 8 bytes");
    }

    [Test]
    public void NegativeOrReversedOffsets()
    {
        var negative = RawSafetensors.Write(folder.File("neg.safetensors"), """{"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", new byte[8]);
        var reversed = RawSafetensors.Write(folder.File("rev.safetensors"), """{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", new byte[8]);

        AssertRefused(negative, "expected a non-negative integer");
        AssertRefused(reversed, "outside the data area");
    }

    [Test]
    public void OverlappingOffsets()
    {
        var header = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""";
        var path = RawSafetensors.Write(folder.File("overlap.safetensors"), header, new byte[12]);

        AssertRefused(path, "offsets overlap");
    }

    [Test]
    public void GapBetweenTensors()
    {
        var header = """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""";
        var path = RawSafetensors.Write(folder.File("gap.safetensors"), header, new byte[12]);

        AssertRefused(path, "leaving a gap");
    }

    [Test]
    public void TrailingBytes()
    {
        var path = RawSafetensors.Write(folder.File("trail.safetensors"), OneTensor, new byte[12]);

        AssertRefused(path, "trailing bytes");
    }

    [Test]
    public void MetadataValueThatIsNotAString()
    {
        var header = """{"__metadata__":{"format":"pt","epoch":3},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        var path = RawSafetensors.Write(folder.File("meta.safetensors"), header, new byte[8]);

        AssertRefused(path, "'__metadata__' value 'epoch' must be a string");
    }

    [Test]
    public void DuplicateKey()
    {
        var header = """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""";
        var path = RawSafetensors.Write(folder.File("dup.safetensors"), header, new byte[8]);

        AssertRefused(path, "names 'w' twice");
    }

    [Test]
    public void MissingFile()
    {
        var path = folder.File("absent.safetensors");

        var error = Assert.Throws<ModelLoadException>(() => SafetensorsFile.Open(path));

        Assert.That(error!.Path, Is.EqualTo(path));
        Assert.That(error.Message, Does.Contain(path));
    }

    private static void AssertRefused(string path, string problem)
    {
        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        TestContext.Out.WriteLine(error!.Message);
        Assert.That(error.Message, Does.Contain(path));
        Assert.That(error.Message, Does.Contain(problem));
        Assert.That(error.Path, Is.EqualTo(path));
        Assert.That(error, Is.InstanceOf<ModelLoadException>());
    }
}
