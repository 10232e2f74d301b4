using StableVsr.Tests.Support;
using StableVsr.Weights;
using StableVsr.Weights.Pickle;
using TorchSharp;

namespace StableVsr.Tests.Weights.Pickle;

/// <summary>
/// torch.save's legacy (pre-1.6) format: the fixtures' real files (VGG16 features as torchvision's 2017 file is
/// saved, the Python 2 LPIPS heads with storages on 'cuda:0', the DISTS weights), files built byte by byte, and
/// damaged copies.
/// </summary>
public class LegacyCheckpointTests
{
    private static readonly (string Key, long[] Shape)[] Vgg16Features =
    [
        ("features.0.weight", [64, 3, 3, 3]), ("features.0.bias", [64]),
        ("features.2.weight", [64, 64, 3, 3]), ("features.2.bias", [64]),
        ("features.5.weight", [128, 64, 3, 3]), ("features.5.bias", [128]),
        ("features.7.weight", [128, 128, 3, 3]), ("features.7.bias", [128]),
        ("features.10.weight", [256, 128, 3, 3]), ("features.10.bias", [256]),
        ("features.12.weight", [256, 256, 3, 3]), ("features.12.bias", [256]),
        ("features.14.weight", [256, 256, 3, 3]), ("features.14.bias", [256]),
        ("features.17.weight", [512, 256, 3, 3]), ("features.17.bias", [512]),
        ("features.19.weight", [512, 512, 3, 3]), ("features.19.bias", [512]),
        ("features.21.weight", [512, 512, 3, 3]), ("features.21.bias", [512]),
        ("features.24.weight", [512, 512, 3, 3]), ("features.24.bias", [512]),
        ("features.26.weight", [512, 512, 3, 3]), ("features.26.bias", [512]),
        ("features.28.weight", [512, 512, 3, 3]), ("features.28.bias", [512]),
    ];

    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public void Vgg16FeaturesInTheLegacyFormatRead()
    {
        using var checkpoint = PickleCheckpoint.Open(Fixtures.Path("metrics", "vgg16_features_random.pth"));

        Assert.That(checkpoint.Keys, Is.EqualTo(Vgg16Features.Select(f => f.Key)));
        foreach (var (key, shape) in Vgg16Features)
        {
            Assert.That(checkpoint.GetInfo(key).Shape, Is.EqualTo(shape), key);
            Assert.That(checkpoint.GetInfo(key).DType, Is.EqualTo(TensorDType.F32), key);
        }

        // The fixture rounded every value to float16 precision and made the first conv zero-mean over its taps:
        // both hold only if every byte was read from the right place.
        using var first = checkpoint.Load("features.0.weight");
        using var last = checkpoint.Load("features.28.weight");
        using (var roundTrip = last.to(torch.float16).to(torch.float32))
        {
            Assert.That(roundTrip.Equals(last), Is.True, "values are float16-representable");
        }

        using var tapMeans = first.mean([2, 3]).abs().max();
        using var spread = first.std();
        TestContext.Out.WriteLine($"first conv: largest |mean over taps| {tapMeans.item<float>():E2}, std {spread.item<float>():E2}");
        Assert.That(tapMeans.item<float>(), Is.LessThan(spread.item<float>() * 1e-2));
        using var lastStd = last.std();
        Assert.That(lastStd.item<float>(), Is.EqualTo(Math.Sqrt(2.0 / (512 * 9))).Within(10).Percent, "He-normal spread");
    }

    [Test]
    public void Python2LpipsHeadsWithCudaStoragesRead()
    {
        using var checkpoint = PickleCheckpoint.Open(Fixtures.Path("metrics", "lpips_alex.pth"));

        long[] channels = [64, 192, 384, 256, 256];
        Assert.That(checkpoint.Keys, Is.EqualTo(channels.Select((_, i) => $"lin{i}.model.1.weight")));
        for (var i = 0; i < channels.Length; i++)
        {
            var key = $"lin{i}.model.1.weight";
            Assert.That(checkpoint.GetInfo(key).Shape, Is.EqualTo(new[] { 1, channels[i], 1, 1 }), key);
            using var weight = checkpoint.Load(key);
            using var min = weight.min();
            using var max = weight.max();

            // LPIPS trains its heads with non-negative weights; garbage bytes would not be.
            Assert.That(min.item<float>(), Is.GreaterThanOrEqualTo(0f), key);
            Assert.That(max.item<float>(), Is.GreaterThan(0f).And.LessThan(10f), key);
        }
    }

    [Test]
    public void DistsWeightsRead()
    {
        using var checkpoint = PickleCheckpoint.Open(Fixtures.Path("metrics", "dists_weights.pt"));

        Assert.That(checkpoint.Keys, Is.EquivalentTo(new[] { "alpha", "beta" }));
        using var alpha = checkpoint.Load("alpha");
        using var beta = checkpoint.Load("beta");
        Assert.That(alpha.shape, Is.EqualTo(new long[] { 1, 1475, 1, 1 }));
        using var total = alpha.sum() + beta.sum();

        // DISTS' weights are normalised to sum to one (up to float32 rounding, which DISTS divides out).
        Assert.That(total.item<float>(), Is.EqualTo(1f).Within(1e-4));
    }

    [Test]
    public void BuiltPython2FileReadsEveryValue()
    {
        var path = new TorchLegacyBuilder()
            .Tensor("a.weight", "140234", [1f, -2f, 3.5f])
            .Tensor("b.bias", "99", [0.25f], location: "cpu")
            .Write(folder.File("py2.pth"));

        using var checkpoint = PickleCheckpoint.Open(path);
        using var a = checkpoint.Load("a.weight");
        using var b = checkpoint.Load("b.bias");

        Assert.That(checkpoint.Keys, Is.EqualTo(new[] { "a.weight", "b.bias" }));
        Assert.That(a.data<float>().ToArray(), Is.EqualTo(new[] { 1f, -2f, 3.5f }));
        Assert.That(b.data<float>().ToArray(), Is.EqualTo(new[] { 0.25f }));
        Assert.That(a.device_type, Is.EqualTo(DeviceType.CPU));
    }

    [TestCase(9, "magic number", TestName = "LegacyFileCutInsideTheMagicNumberIsRefused")]
    [TestCase(400, "state dict", TestName = "LegacyFileCutInsideTheStateDictIsRefused")]
    [TestCase(-100, "truncated", TestName = "LegacyFileCutInsideTheLastStorageIsRefused")]
    public void TruncatedLegacyFileIsRefused(int keep, string expected)
    {
        var bytes = File.ReadAllBytes(Fixtures.Path("metrics", "lpips_alex.pth"));
        var path = folder.File("cut.pth");
        File.WriteAllBytes(path, bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        TestContext.Out.WriteLine(error!.Message);
        Assert.That(error.Message, Does.Contain(expected).And.Contain(path));
    }

    [Test]
    public void LargeLegacyFileCutInHalfIsRefused()
    {
        // The VGG16 file's pickles are read from a first window of the file; its storages lie far past it.
        var path = folder.File("vgg-half.pth");
        using (var source = File.OpenRead(Fixtures.Path("metrics", "vgg16_features_random.pth")))
        using (var target = File.Create(path))
        {
            var half = new byte[source.Length / 2];
            source.ReadExactly(half);
            target.Write(half);
        }

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("inside storage").And.Contain("truncated"));
    }

    [Test]
    public void CorruptMagicNumberIsRefused()
    {
        var bytes = File.ReadAllBytes(Fixtures.Path("metrics", "dists_weights.pt"));
        bytes[5] ^= 0xFF;
        var path = folder.File("magic.pt");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("not torch's magic number"));
    }

    [Test]
    public void StorageCountThatDisagreesWithThePickleIsRefused()
    {
        var path = new TorchLegacyBuilder().Tensor("w", "1", [1f, 2f]).Write(folder.File("count.pth"));
        var bytes = File.ReadAllBytes(path);
        bytes[^16] = 3; // the storage's int64 element count, just before its 8 data bytes
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("holds 3 elements, but the state dict says 2"));
    }

    [Test]
    public void OtherProtocolVersionsAreRefused()
    {
        var path = new TorchLegacyBuilder { ProtocolVersion = 1000 }.Tensor("w", "1", [1f]).Write(folder.File("v1000.pth"));

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("protocol version 1000"));
    }

    [Test]
    public void BigEndianFilesAreRefused()
    {
        var path = new TorchLegacyBuilder { LittleEndian = false }.Tensor("w", "1", [1f]).Write(folder.File("big.pth"));

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("big-endian"));
    }

    [Test]
    public void StorageViewsAreRefused()
    {
        var path = new TorchLegacyBuilder { ViewMetadata = ("7", 0, 1) }.Tensor("w", "1", [1f]).Write(folder.File("view.pth"));

        var error = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Message, Does.Contain("view of another storage"));
    }

    [Test]
    public void HostileGlobalInALegacyStateDictIsRefused()
    {
        // PROTO 2, GLOBAL 'posix system', SHORT_BINSTRING 'echo pwned', TUPLE1, REDUCE, STOP.
        var pickle = new MemoryStream();
        new TorchLegacyBuilder.PickleWriter(pickle).Proto().Global("posix", "system").Bytes("echo pwned").Tuple1().Reduce().Stop();
        var path = new TorchLegacyBuilder { StateDictPickle = pickle.ToArray() }.Write(folder.File("evil.pth"));

        var error = Assert.Throws<UnsafePickleException>(() => PickleCheckpoint.Open(path));

        Assert.That(error!.Forbidden, Is.EqualTo("posix.system"));
    }
}
