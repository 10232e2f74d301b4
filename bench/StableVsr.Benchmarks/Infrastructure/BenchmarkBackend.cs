using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Benchmarks.Infrastructure;

/// <summary>
/// Where and in which precision a suite runs its networks, written "device-dtype" ("cpu-float32", "cpu-bfloat16",
/// "cuda-float16", ...), so that a parameter never pairs a device with a type it cannot run (float16 on the CPU).
/// </summary>
public static class BenchmarkBackend
{
    /// <summary>
    /// The backends to measure: STABLEVSR_BENCH_BACKENDS (comma-separated) when set, else float32 and bfloat16 on the
    /// CPU, plus float32 and float16 on CUDA when libtorch has a CUDA device.
    /// </summary>
    public static IEnumerable<string> All()
    {
        if (Environment.GetEnvironmentVariable("STABLEVSR_BENCH_BACKENDS") is { Length: > 0 } chosen)
        {
            return chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        var backends = new List<string> { "cpu-float32", "cpu-bfloat16" };
        if (cuda.is_available())
        {
            backends.AddRange(["cuda-float32", "cuda-float16"]);
        }

        return backends;
    }

    /// <summary>
    /// Float32 only, on the CPU and (when present) CUDA: for suites whose precision is fixed by the pipeline's defaults.
    /// STABLEVSR_BENCH_BACKENDS overrides it as for <see cref="All"/>.
    /// </summary>
    public static IEnumerable<string> Float32() =>
        All().Where(b => b.EndsWith("-float32", StringComparison.Ordinal)).DefaultIfEmpty("cpu-float32");

    /// <summary>The device of a backend name.</summary>
    public static Device DeviceOf(string backend) => backend.Split('-')[0] switch
    {
        "cpu" => CPU,
        "cuda" => CUDA,
        var other => throw new ArgumentException($"Unknown device '{other}' in backend '{backend}'.", nameof(backend)),
    };

    /// <summary>The scalar type of a backend name.</summary>
    public static ScalarType TypeOf(string backend) => backend.Split('-')[^1] switch
    {
        "float32" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        "float16" => ScalarType.Float16,
        var other => throw new ArgumentException($"Unknown type '{other}' in backend '{backend}'.", nameof(backend)),
    };

    /// <summary>The <see cref="ModelPrecision"/> of a backend name.</summary>
    public static ModelPrecision PrecisionOf(string backend) => TypeOf(backend) switch
    {
        ScalarType.BFloat16 => ModelPrecision.BFloat16,
        ScalarType.Float16 => ModelPrecision.Float16,
        _ => ModelPrecision.Float32,
    };

    /// <summary>
    /// Low-resolution frame sizes "WxH": STABLEVSR_BENCH_SIZES (comma-separated) when set, else 32x32, the size of the
    /// issue's CPU target (add 320x180, the 1280x720 output of the GPU target, on a GPU).
    /// </summary>
    public static IEnumerable<string> Sizes() =>
        Environment.GetEnvironmentVariable("STABLEVSR_BENCH_SIZES") is { Length: > 0 } chosen
            ? chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : ["32x32"];

    /// <summary>Width and height of a "WxH" size.</summary>
    public static (int Width, int Height) SizeOf(string size)
    {
        ArgumentNullException.ThrowIfNull(size);
        var parts = size.Split('x');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Waits for the device to finish queued work, so a measured iteration includes it (CUDA runs asynchronously).</summary>
    public static void Synchronize(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type == DeviceType.CUDA)
        {
            cuda.synchronize();
        }
    }
}
