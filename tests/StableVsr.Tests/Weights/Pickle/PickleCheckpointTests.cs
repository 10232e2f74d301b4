using System.IO.Compression;
using StableVsr.Tests.Support;
using StableVsr.Weights;
using StableVsr.Weights.Pickle;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Weights.Pickle;

public class PickleCheckpointTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void RaftCheckpointEqualsItsSafetensorsTwin()
    {
        using var pth = PickleCheckpoint.Open(Fixtures.Path("raft", "raft_large_random.pth"));
        using var safetensors = SafetensorsFile.Open(Fixtures.Path("raft", "raft_large_random.safetensors"));

        Assert.That(pth.Keys, Is.EquivalentTo(safetensors.Keys));
        Assert.That(pth.IgnoredEntries, Is.Empty);
        foreach (var key in safetensors.Keys)
        {
            Assert.That(pth.GetInfo(key), Is.EqualTo(safetensors.GetInfo(key)).Using<TensorInfo>(SameInfo), key);
            using var a = pth.Load(key);
            using var b = safetensors.Load(key);
            Assert.That(a.Equals(b), Is.True, key);
        }

        Assert.That(pth.GetInfo(pth.Keys.First(k => k.EndsWith("num_batches_tracked", StringComparison.Ordinal))).DType, Is.EqualTo(TensorDType.I64));
        TestContext.Out.WriteLine($"{pth.Keys.Count} tensors identical");
    }

    [Test]
    public void RaftCheckpointLoadsIntoAModuleOfItsShape()
    {
        using var pth = PickleCheckpoint.Open(Fixtures.Path("raft", "raft_large_random.pth"));
        using var safetensors = SafetensorsFile.Open(Fixtures.Path("raft", "raft_large_random.safetensors"));
        using var module = new ShapeOnlyModule(safetensors.Tensors);

        var report = StateDictLoader.Load(module, pth);

        Assert.That(report.LoadedKeys, Has.Count.EqualTo(safetensors.Keys.Count));
        var loaded = module.state_dict();
        foreach (var key in safetensors.Keys)
        {
            using var expected = safetensors.Load(key);
            Assert.That(loaded[key].Equals(expected), Is.True, key);
        }
    }

    [Test]
    public void ReadsStridedViewsOffsetsAndSharedStorages()
    {
        var values = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var path = new TorchZipBuilder()
            .Storage("0", RawSafetensors.Floats(values))
            .Tensor("whole", "FloatStorage", "0", 12, 0, [3, 4], [4, 1])
            .Tensor("transposed", "FloatStorage", "0", 12, 0, [4, 3], [1, 4])
            .Tensor("row", "FloatStorage", "0", 12, 8, [4], [1])
            .Tensor("column", "FloatStorage", "0", 12, 1, [3], [4])
            .Write(folder.File("views.pth"));

        using var checkpoint = PickleCheckpoint.Open(path);
        using var whole = torch.tensor(values).reshape(3, 4);
        using var loadedWhole = checkpoint.Load("whole");
        using var transposed = checkpoint.Load("transposed");
        using var row = checkpoint.Load("row");
        using var column = checkpoint.Load("column");
        using var destination = torch.zeros(4, 3);
        ((ITensorSource)checkpoint).ReadInto("transposed", destination);

        Assert.That(loadedWhole.Equals(whole), Is.True);
        Assert.That(transposed.Equals(whole.t()), Is.True);
        Assert.That(transposed.is_contiguous(), Is.True);
        Assert.That(destination.Equals(whole.t()), Is.True);
        Assert.That(row.data<float>().ToArray(), Is.EqualTo(new[] { 8f, 9f, 10f, 11f }));
        Assert.That(column.data<float>().ToArray(), Is.EqualTo(new[] { 1f, 5f, 9f }));
        Assert.That(checkpoint.GetInfo("row").ByteLength, Is.EqualTo(16));
    }

    [Test]
    public void ReadsHalfPrecisionAndConverts()
    {
        var bytes = new byte[4];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), (Half)0.5);
        BitConverter.TryWriteBytes(bytes.AsSpan(2), (Half)(-3));
        var path = new TorchZipBuilder()
            .Storage("7", bytes)
            .Tensor("h", "HalfStorage", "7", 2, 0, [2], [1])
            .Write(folder.File("half.pth"));

        using var checkpoint = PickleCheckpoint.Open(path);
        using var h = checkpoint.Load("h");
        using var f = checkpoint.Load("h", torch.float32);

        Assert.That(h.dtype, Is.EqualTo(torch.float16));
        Assert.That(f.data<float>().ToArray(), Is.EqualTo(new[] { 0.5f, -3f }));
    }

    [TestCase(new byte[] { 0x80, 0x02, 0x63, 0x70, 0x6F, 0x73, 0x69, 0x78, 0x0A, 0x73, 0x79, 0x73, 0x74, 0x65, 0x6D, 0x0A, 0x71, 0x00, 0x58, 0x0A, 0x00, 0x00, 0x00, 0x65, 0x63, 0x68, 0x6F, 0x20, 0x70, 0x77, 0x6E, 0x65, 0x64, 0x71, 0x01, 0x85, 0x71, 0x02, 0x52, 0x71, 0x03, 0x2E }, "posix.system", TestName = "HostilePickleCallingOsSystemIsRefused")]
    [TestCase(new byte[] { 0x80, 0x04, 0x95, 0x1F, 0, 0, 0, 0, 0, 0, 0, 0x8C, 0x08, (byte)'b', (byte)'u', (byte)'i', (byte)'l', (byte)'t', (byte)'i', (byte)'n', (byte)'s', 0x94, 0x8C, 0x04, (byte)'e', (byte)'v', (byte)'a', (byte)'l', 0x94, 0x93, 0x94, 0x8C, 0x03, (byte)'1', (byte)'+', (byte)'1', 0x94, 0x85, 0x94, 0x52, 0x94, 0x2E }, "builtins.eval", TestName = "HostileProtocol4PickleCallingEvalIsRefused")]
    public void HostilePickleIsRefused(byte[] pickle, string global)
    {
        // Bytes from Python: pickle.dumps(obj) where obj.__reduce__ returns (os.system, ("echo pwned",)) with
        // protocol 2, and (builtins.eval, ("1+1",)) with protocol 4. Unpickling either in Python runs the call.
        var path = new TorchZipBuilder().WriteWithPickle(folder.File("evil.pth"), pickle);

        var error = Assert.Throws<UnsafePickleException>(() => PickleCheckpoint.Open(path));

        TestContext.Out.WriteLine(error!.Message);
        Assert.That(error.Forbidden, Is.EqualTo(global));
        Assert.That(error.Message, Does.Contain(global).And.Contain(path));
    }

    [Test]
    public void ObjectBuildingOpcodesAreRefused()
    {
        // PROTO 2, EMPTY_TUPLE twice, NEWOBJ: calls cls.__new__ on whatever is below; refused before it runs.
        var path = new TorchZipBuilder().WriteWithPickle(folder.File("newobj.pth"), [0x80, 0x02, 0x29, 0x29, 0x81, 0x2E]);

        var error = Assert.Throws<UnsafePickleException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("NEWOBJ"));
    }

    [Test]
    public void MissingStorageMemberIsNamed()
    {
        var path = new TorchZipBuilder()
            .Tensor("w", "FloatStorage", "3", 2, 0, [2], [1])
            .Write(folder.File("missing.pth"));

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("archive/data/3").And.Contain(path));
    }

    [Test]
    public void ViewPastItsStorageIsRefused()
    {
        var path = new TorchZipBuilder()
            .Storage("0", RawSafetensors.Floats(1, 2))
            .Tensor("w", "FloatStorage", "0", 2, 1, [2], [1])
            .Write(folder.File("past.pth"));

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("reaches element 3 of a storage of 2"));
    }

    [Test]
    public void StorageShorterThanDeclaredIsRefused()
    {
        var path = new TorchZipBuilder()
            .Storage("0", RawSafetensors.Floats(1))
            .Tensor("w", "FloatStorage", "0", 2, 0, [2], [1])
            .Write(folder.File("short.pth"));

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("holds 4 bytes, fewer than its 2 F32 elements need"));
    }

    [Test]
    public void CompressedMembersAreRefused()
    {
        var builder = new TorchZipBuilder().Storage("0", new byte[64]).Tensor("w", "FloatStorage", "0", 16, 0, [16], [1]);
        var path = builder.WriteWithPickle(folder.File("deflated.pth"), builder.Pickle(), CompressionLevel.Optimal);

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("is compressed"));
    }

    [Test]
    public void TruncatedArchiveIsRefused()
    {
        var bytes = File.ReadAllBytes(Fixtures.Path("raft", "raft_large_random.pth"));
        var path = folder.File("cut.pth");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("end-of-central-directory").And.Contain(path));
    }

    [Test]
    public void FileThatIsNotACheckpointIsRefused()
    {
        var path = folder.File("text.pth");
        File.WriteAllText(path, "hello");

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("neither a zip-format PyTorch checkpoint"));
    }

    [Test]
    public void MalformedPickleIsRefused()
    {
        var path = new TorchZipBuilder().WriteWithPickle(folder.File("bad.pth"), [0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E]);

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("longer than the rest of the pickle"));
    }

    private static bool SameInfo(TensorInfo a, TensorInfo b) =>
        a.Name == b.Name && a.DType == b.DType && a.Shape.SequenceEqual(b.Shape) && a.ByteLength == b.ByteLength;
}
