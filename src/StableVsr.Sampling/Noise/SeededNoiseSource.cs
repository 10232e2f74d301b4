using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Noise;

/// <summary>
/// Standard normal noise derived from a seed, the step and the frame: each (seed, step, frame) has its own generator,
/// seeded through SplitMix64 so neighbouring keys give unrelated streams. Noise is drawn on the CPU in float32 and
/// then moved, so CPU and GPU runs of the same seed see the same noise.
/// </summary>
internal sealed class SeededNoiseSource : INoiseSource
{
    private const long InitialLatentStep = -1;
    private readonly long seed;

    /// <summary>Creates a noise source for <paramref name="seed"/>.</summary>
    public SeededNoiseSource(long seed) => this.seed = seed;

    /// <inheritdoc />
    public Tensor InitialLatent(int frame, long[] shape, Device device) => Draw(InitialLatentStep, frame, shape, device);

    /// <inheritdoc />
    public Tensor StepNoise(int step, int frame, long[] shape, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Draw(step, frame, shape, device);
    }

    private Tensor Draw(long step, int frame, long[] shape, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        var key = Mix(Mix(Mix((ulong)seed) ^ (ulong)step) ^ (ulong)frame);
        using var generator = new Generator(key & long.MaxValue, CPU);
        var cpu = randn(shape, ScalarType.Float32, CPU, generator: generator);
        if (device.type == DeviceType.CPU)
        {
            return cpu;
        }

        // From page-locked memory the copy to a GPU is queued without waiting for the GPU to finish its work.
        using (cpu)
        using (var pinned = device.type == DeviceType.CUDA ? cpu.pin_memory() : cpu.alias())
        {
            return pinned.to(device, non_blocking: device.type == DeviceType.CUDA);
        }
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
