using System.Globalization;

namespace StableVsr;

/// <summary>
/// A device named the way users write it: "auto", "cpu", "cuda" or "cuda:N". Parsing only checks the spelling;
/// <see cref="TorchBackend.ResolveDevice"/> checks that the device exists.
/// </summary>
public readonly record struct ComputeDevice(ComputeDeviceKind Kind, int? Index)
{
    /// <summary>Parses a device name.</summary>
    /// <exception cref="InvalidInputException">The name is not one of the accepted spellings.</exception>
    public static ComputeDevice Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = name.Trim().ToLowerInvariant();
        switch (text)
        {
            case "auto":
                return new ComputeDevice(ComputeDeviceKind.Auto, null);
            case "cpu":
                return new ComputeDevice(ComputeDeviceKind.Cpu, null);
            case "cuda":
                return new ComputeDevice(ComputeDeviceKind.Cuda, null);
        }

        if (text.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return new ComputeDevice(ComputeDeviceKind.Cuda, index);
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
