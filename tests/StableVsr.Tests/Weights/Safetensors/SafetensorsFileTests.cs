using StableVsr.Tests.Support;
using StableVsr.Weights;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Weights.Safetensors;

public class SafetensorsFileTests
{
    [TestCase("unet")]
    [TestCase("controlnet")]
    [TestCase("vae")]
    public void ReadsEveryTensorOfTheTinyModel(string component)
    {
        using var file = SafetensorsFile.Open(Fixtures.Path("tiny-stablevsr", component, "diffusion_pytorch_model.safetensors"));

        Assert.That(file.Keys, Is.Not.Empty);
        Assert.That(file.Metadata["format"], Is.EqualTo("pt"));
        long total = 0;
        foreach (var key in file.Keys)
        {
            var info = file.GetInfo(key);
            using var tensor = file.Load(key);
            Assert.That(tensor.shape, Is.EqualTo(info.Shape), key);
            Assert.That(tensor.dtype, Is.EqualTo(info.ScalarType), key);
            Assert.That(info.ByteLength, Is.EqualTo(info.ElementCount * info.DType.ElementSize()), key);
            Assert.That(tensor.isfinite().all().item<bool>(), Is.True, key);
            total += info.ByteLength;
        }

        var fileLength = new FileInfo(file.Path).Length;
        Assert.That(total, Is.LessThan(fileLength).And.GreaterThan(fileLength * 9 / 10), "tensor data should fill the file but for its header");
        TestContext.Out.WriteLine($"{component}: {file.Keys.Count} tensors, {total} bytes");
    }

    [Test]
    public void ValuesEqualAPlainStructReading()
    {
        // Expected values read with Python's struct module straight from the file bytes (no safetensors library).
        using var file = SafetensorsFile.Open(Fixtures.Path("tiny-stablevsr", "vae", "diffusion_pytorch_model.safetensors"));

        using var convIn = file.Load("decoder.conv_in.weight");
        using var bias = file.Load("decoder.conv_out.bias");

        Assert.That(convIn.shape, Is.EqualTo(new long[] { 32, 4, 3, 3 }));
        Assert.That(convIn.flatten()[..4].data<float>().ToArray(), Is.EqualTo(new[] { -0.06891858577728271f, -0.08820699900388718f, 0.16706766188144684f, -0.1673627346754074f }));
        Assert.That(bias.data<float>().ToArray(), Is.EqualTo(new[] { 0.07314259558916092f, 0.04199370741844177f, -0.05837133899331093f }));
    }

    [Test]
    public void ReadsInt64TensorsAndStringMetadata()
    {
        using var file = SafetensorsFile.Open(Fixtures.Case("ddpm.safetensors"));

        var info = file.GetInfo("timesteps_leading_1000");
        using var timesteps = file.Load("timesteps_leading_1000");

        Assert.That(info.DType, Is.EqualTo(TensorDType.I64));
        Assert.That(timesteps.dtype, Is.EqualTo(torch.int64));
        var values = timesteps.data<long>().ToArray();
        Assert.That(values, Is.EqualTo(Enumerable.Range(0, values.Length).Select(i => (long)(values.Length - i)).ToArray()), "leading spacing with steps_offset 1 counts down from 1000 to 1");
        Assert.That(file.Metadata["config"], Does.StartWith("{"));
    }

    [Test]
    public void ConvertsDTypeOnRequest()
    {
        using var file = SafetensorsFile.Open(Fixtures.Case("vae.safetensors"));
        var key = file.Keys.First();

        using var f32 = file.Load(key);
        using var f64 = file.Load(key, torch.float64);
        using var bf16 = file.Load(key, torch.bfloat16, torch.CPU);

        Assert.That(f64.dtype, Is.EqualTo(torch.float64));
        Assert.That(bf16.dtype, Is.EqualTo(torch.bfloat16));
        Assert.That(f64.to(torch.float32).Equals(f32), Is.True);
        Assert.That(bf16.Equals(f32.to(torch.bfloat16)), Is.True);
    }

    [Test]
    public void LoadReturnsAFreshTensorEachTime()
    {
        using var file = SafetensorsFile.Open(Fixtures.Case("vae.safetensors"));
        var key = file.Keys.First();

        using var first = file.Load(key);
        using var second = file.Load(key);
        first.zero_();

        Assert.That(second.abs().sum().item<float>(), Is.GreaterThan(0f));
    }

    [Test]
    public void TensorsStayValidAfterTheFileIsClosed()
    {
        var file = SafetensorsFile.Open(Fixtures.Case("vae.safetensors"));
        var key = file.Keys.First();
        using var tensor = file.Load(key);
        file.Dispose();

        Assert.That(tensor.isfinite().all().item<bool>(), Is.True);
        Assert.Throws<ObjectDisposedException>(() => file.Load(key));
    }

    [Test]
    public void ReadIntoFillsAnExistingTensorOfAnyDType()
    {
        using var file = SafetensorsFile.Open(Fixtures.Case("vae.safetensors"));
        var key = file.Keys.First();
        var info = file.GetInfo(key);
        using var expected = file.Load(key);
        using var sameType = torch.zeros(info.Shape, torch.float32);
        using var otherType = torch.zeros(info.Shape, torch.float64);
        using var wrongShape = torch.zeros(new long[] { 3 }, torch.float32);

        ITensorSource source = file;
        source.ReadInto(key, sameType);
        source.ReadInto(key, otherType);

        Assert.That(sameType.Equals(expected), Is.True);
        Assert.That(otherType.to(torch.float32).Equals(expected), Is.True);
        Assert.Throws<ArgumentException>(() => source.ReadInto(key, wrongShape));
        Assert.That(file.TryFillDirectly(key, otherType), Is.False, "a float64 destination of float32 data is converted, not filled byte for byte");
    }

    [Test]
    public void UnknownKeyIsReported()
    {
        using var file = SafetensorsFile.Open(Fixtures.Case("vae.safetensors"));

        Assert.That(file.Contains("nope"), Is.False);
        var error = Assert.Throws<KeyNotFoundException>(() => file.GetInfo("nope"));
        Assert.That(error!.Message, Does.Contain("nope").And.Contain("vae.safetensors"));
    }

    [Test]
    public void ReadsEveryStoredDType()
    {
        using var folder = new TempFolder();
        var header = """
            {"b":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]},
             "u":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},
             "h":{"dtype":"F16","shape":[1],"data_offsets":[4,6]},
             "bf":{"dtype":"BF16","shape":[1],"data_offsets":[6,8]},
             "i":{"dtype":"I32","shape":[1],"data_offsets":[8,12]},
             "s":{"dtype":"F32","shape":[],"data_offsets":[12,16]},
             "d":{"dtype":"F64","shape":[1],"data_offsets":[16,24]},
             "e":{"dtype":"F32","shape":[0,3],"data_offsets":[24,24]}}
            """;
        var data = new byte[24];
        data[0] = 1;
        data[2] = 200;
        data[3] = 7;
        BitConverter.TryWriteBytes(data.AsSpan(4), (Half)1.5);
        data[7] = 0xC0; // bfloat16 -2.0 is 0xC000, little-endian
        BitConverter.TryWriteBytes(data.AsSpan(8), -5);
        BitConverter.TryWriteBytes(data.AsSpan(12), 0.25f);
        BitConverter.TryWriteBytes(data.AsSpan(16), Math.PI);
        using var file = SafetensorsFile.Open(RawSafetensors.Write(folder.File("all.safetensors"), header, data));

        using var b = file.Load("b");
        using var u = file.Load("u");
        using var h = file.Load("h");
        using var bf = file.Load("bf");
        using var i = file.Load("i");
        using var s = file.Load("s");
        using var d = file.Load("d");
        using var e = file.Load("e");

        Assert.That(b.data<bool>().ToArray(), Is.EqualTo(new[] { true, false }));
        Assert.That(u.data<byte>().ToArray(), Is.EqualTo(new byte[] { 200, 7 }));
        Assert.That(h.to(torch.float32).item<float>(), Is.EqualTo(1.5f));
        Assert.That(bf.to(torch.float32).item<float>(), Is.EqualTo(-2f));
        Assert.That(i.item<int>(), Is.EqualTo(-5));
        Assert.That(s.shape, Is.Empty);
        Assert.That(s.item<float>(), Is.EqualTo(0.25f));
        Assert.That(d.item<double>(), Is.EqualTo(Math.PI));
        Assert.That(e.shape, Is.EqualTo(new long[] { 0, 3 }));
    }
}
