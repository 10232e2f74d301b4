using System.Runtime.InteropServices;
using System.Text;
using StableVsr.Models.Runtime;

namespace StableVsr.Tests.Models.Runtime;

/// <summary>
/// What native code prints on the process's standard error while the backend initialises (libtorch's NNPACK warning on
/// CPUs it does not support) is captured for the host's logging instead of reaching the console, and the stream is
/// restored afterwards.
/// </summary>
public class NativeStandardErrorTests
{
    [Test]
    public void NativeWritesToStandardErrorAreCapturedAndTheStreamIsRestored()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("Standard error is redirected through file descriptors on Linux and macOS only.");
        }

        const string Line = "[W NNPACK.cpp:56] Could not initialize NNPACK! Reason: Unsupported hardware.";
        var captured = NativeStandardError.Capture(() => WriteToStandardError(Line + "\n"));

        Assert.That(captured, Is.EqualTo(Line + "\n"), "written by native code, straight to file descriptor 2");
        Assert.That(NativeStandardError.Capture(() => { }), Is.Empty, "each capture sees only its own writes");
    }

    [Test]
    public void ACaptureThatFailsStillRestoresTheStream()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("Standard error is redirected through file descriptors on Linux and macOS only.");
        }

        Assert.Throws<InvalidOperationException>(() => NativeStandardError.Capture(() => throw new InvalidOperationException("native init failed")));
        Assert.That(NativeStandardError.Capture(() => WriteToStandardError("after\n")), Is.EqualTo("after\n"));
    }

    private static void WriteToStandardError(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.That(Write(2, bytes, bytes.Length), Is.EqualTo((nint)bytes.Length));
    }

    [DllImport("libc", EntryPoint = "write")]
    private static extern nint Write(int descriptor, byte[] buffer, nint count);
}
