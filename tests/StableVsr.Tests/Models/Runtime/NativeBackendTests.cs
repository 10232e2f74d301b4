using System.Text;
using StableVsr.Models.Runtime;

namespace StableVsr.Tests.Models.Runtime;

/// <summary>
/// The build step that relaxes TorchSharp's GLIBCXX_3.4.32 need must change the output copy only where the system
/// libstdc++ lacks that version, never the NuGet cache, and the library must then load.
/// </summary>
public class NativeBackendTests
{
    private const string Library = "libLibTorchSharp.so";

    [Test]
    public void CpuIsAlwaysThereAndCudaIsRefusedClearlyWithoutIt()
    {
        Assert.That(TorchBackend.ResolveDevice(ComputeDevice.Cpu).type, Is.EqualTo(TorchSharp.DeviceType.CPU));
        if (!TorchSharp.torch.cuda.is_available())
        {
            var ex = Assert.Throws<NativeBackendException>(() => TorchBackend.ResolveDevice(ComputeDevice.Cuda(0)));
            Assert.That(ex!.Message, Does.Contain("cuda:0").And.Contain("libtorch-cuda"));
            Assert.That(TorchBackend.ResolveDevice(ComputeDevice.Auto).type, Is.EqualTo(TorchSharp.DeviceType.CPU));
        }
    }

    [Test]
    public void TorchSharpLoadsAndComputes()
    {
        Assert.DoesNotThrow(() => TorchBackend.EnsureAvailable());
        using var a = TorchSharp.torch.arange(6, dtype: TorchSharp.torch.float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.That(b[1, 1].item<float>(), Is.EqualTo(50f));
    }

    [Test]
    public void BuildStepTouchesOnlyTheOutputCopyAndOnlyWhenNeeded()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("The libstdc++ version need only matters on Linux.");
        }

        var output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", Library);
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", Library);
        Assume.That(File.Exists(output) && File.Exists(cached), "needs the restored TorchSharp package and its output copy");

        var original = File.ReadAllBytes(cached);
        var copy = File.ReadAllBytes(output);
        Assert.That(copy, Has.Length.EqualTo(original.Length));
        Assert.That(IndexOf(original, Encoding.ASCII.GetBytes("GLIBCXX_3.4.32\0")), Is.GreaterThan(0), "the shipped library records the need");
        var differing = Enumerable.Range(0, original.Length).Count(i => original[i] != copy[i]);

        if (SystemLibstdcxxHas("GLIBCXX_3.4.32"))
        {
            Assert.That(differing, Is.Zero, "nothing may change where libstdc++ already has the version");
        }
        else
        {
            // One flag byte of the Vernaux entry and one byte of the symbol's version index.
            Assert.That(differing, Is.InRange(1, 4));
        }
    }

    [Test]
    public void LoaderErrorsNameTheCulpritAndTheFix()
    {
        var glibcxx = TorchBackend.Explain("/app/libLibTorchSharp.so: version `GLIBCXX_3.4.32' not found");
        Assert.That(glibcxx, Does.Contain("GLIBCXX_3.4.32").And.Contain("GCC 13"));
        var libtorch = TorchBackend.Explain("libtorch_cpu.so: cannot open shared object file");
        Assert.That(libtorch, Does.Contain("libtorch_cpu.so").And.Contain("libtorch-cpu-linux-x64"));
    }

    private static bool SystemLibstdcxxHas(string version)
    {
        var path = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        return path is null || IndexOf(File.ReadAllBytes(path), Encoding.ASCII.GetBytes(version + "\0")) >= 0;
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
