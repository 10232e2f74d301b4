using System.Globalization;

namespace StableVsr;

/// <summary>
/// A compute device as users name it: "auto", "cpu", "cuda" or "cuda:N". Names are parsed once, here, into this
/// value; whether the device exists is checked when models are loaded onto it.
/// </summary>
public readonly record struct ComputeDevice(ComputeDeviceKind Kind, int? Index)
{
    /// <summary>The first CUDA device when libtorch has CUDA, else the CPU.</summary>
    public static ComputeDevice Auto { get; } = new(ComputeDeviceKind.Auto, null);

    /// <summary>The CPU.</summary>
    public static ComputeDevice Cpu { get; } = new(ComputeDeviceKind.Cpu, null);

    /// <summary>CUDA device <paramref name="index"/> (null: the current one, usually 0).</summary>
    public static ComputeDevice Cuda(int? index = null) =>
        index is < 0 ? throw new InvalidInputException($"A CUDA device number cannot be negative, got {index}.") : new(ComputeDeviceKind.Cuda, index);

    /// <summary>Parses a device name.</summary>
    /// <exception cref="InvalidInputException">The name is not one of the accepted spellings.</exception>
    public static ComputeDevice Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = name.Trim().ToLowerInvariant();
        switch (text)
        {
            case "auto":
                return Auto;
            case "cpu":
                return Cpu;
            case "cuda":
                return Cuda();
        }

        if (text.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return Cuda(index);
        }

        throw new InvalidInputException($"Unknown device '{name}': use \"auto\", \"cpu\", \"cuda\" or \"cuda:N\" (N = GPU number, from 0).");
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ComputeDeviceKind.Auto => "auto",
        ComputeDeviceKind.Cpu => "cpu",
        _ => Index is null ? "cuda" : $"cuda:{Index.Value.ToString(CultureInfo.InvariantCulture)}",
    };
}
