using TorchSharp;

namespace StableVsr.Tests.Support;

/// <summary>
/// The device the parity tests run their modules on: STABLEVSR_TEST_DEVICE ("cpu" when unset; "cuda" or "cuda:N" on
/// a machine with a CUDA libtorch, as eng/gpu/run.sh sets it). Expected tensors stay as the fixture stores them and
/// comparisons are made on the CPU in float64, so a test reads the same on every device. On CUDA, TF32 (libtorch
/// enables it for cuDNN convolutions by default) is switched off for float32 parity unless STABLEVSR_TEST_TF32=1,
/// which measures the difference it makes.
/// </summary>
public static class TestDevice
{
    private static readonly Lazy<torch.Device> Chosen = new(Choose);

    /// <summary>The test device.</summary>
    public static torch.Device Current => Chosen.Value;

    /// <summary>Whether the test device is a CUDA device.</summary>
    public static bool IsCuda => Current.type == DeviceType.CUDA;

    /// <summary>The test device as the pipeline's option.</summary>
    public static ComputeDevice Compute => IsCuda ? ComputeDevice.Cuda(Current.index < 0 ? 0 : Current.index) : ComputeDevice.Cpu;

    /// <summary>A module moved to the test device (a no-op on the CPU).</summary>
    public static T Place<T>(T module)
        where T : torch.nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        if (IsCuda)
        {
            module.to(Current);
        }

        return module;
    }

    /// <summary>A tensor on the test device (the same tensor on the CPU).</summary>
    public static torch.Tensor On(torch.Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return IsCuda ? tensor.to(Current) : tensor;
    }

    private static torch.Device Choose()
    {
        var name = Environment.GetEnvironmentVariable("STABLEVSR_TEST_DEVICE");
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Equals("cpu", StringComparison.OrdinalIgnoreCase))
        {
            return torch.CPU;
        }

        var device = torch.device(name.Trim());
        if (device.type != DeviceType.CUDA || !torch.cuda.is_available())
        {
            throw new InvalidOperationException($"STABLEVSR_TEST_DEVICE is '{name}', but libtorch has no such CUDA device here: unset it, or run with a CUDA libtorch (eng/gpu/run.sh).");
        }

        var tf32 = Environment.GetEnvironmentVariable("STABLEVSR_TEST_TF32") == "1";
        torch.backends.cudnn.allow_tf32 = tf32;
        torch.backends.cuda.matmul.allow_tf32 = tf32;
        TestContext.Progress.WriteLine($"parity tests on {device} (TF32 {(tf32 ? "on" : "off")})");
        return device;
    }
}
