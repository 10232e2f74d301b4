using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Serialization;

namespace StableVsr;

/// <summary>
/// A compute device as users name it: "auto", "cpu", "cuda" or "cuda:N". Names are parsed the .NET way, here and only
/// here (<see cref="IParsable{TSelf}"/>, a <see cref="TypeConverter"/> for configuration binding, a JSON converter), into
/// this value; whether the device exists is checked when models are loaded onto it.
/// </summary>
[TypeConverter(typeof(ComputeDeviceTypeConverter))]
[JsonConverter(typeof(ComputeDeviceJsonConverter))]
public readonly record struct ComputeDevice(ComputeDeviceKind Kind, int? Index) : IParsable<ComputeDevice>
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
        return TryParse(name, out var device)
            ? device
            : throw new InvalidInputException($"Unknown device '{name}': use \"auto\", \"cpu\", \"cuda\" or \"cuda:N\" (N = GPU number, from 0).");
    }

    /// <summary>Parses a device name; <paramref name="provider"/> is not used (device names do not depend on culture).</summary>
    /// <exception cref="InvalidInputException">The name is not one of the accepted spellings.</exception>
    public static ComputeDevice Parse(string s, IFormatProvider? provider) => Parse(s);

    /// <summary>Parses a device name ("auto", "cpu", "cuda", "cuda:N"; case and surrounding spaces ignored).</summary>
    /// <returns>Whether <paramref name="name"/> is a device name.</returns>
    public static bool TryParse([NotNullWhen(true)] string? name, out ComputeDevice result)
    {
        result = default;
        if (name is null)
        {
            return false;
        }

        var text = name.Trim().ToLowerInvariant();
        switch (text)
        {
            case "auto":
                result = Auto;
                return true;
            case "cpu":
                result = Cpu;
                return true;
            case "cuda":
                result = Cuda();
                return true;
        }

        if (text.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            result = Cuda(index);
            return true;
        }

        return false;
    }

    /// <summary>Parses a device name; <paramref name="provider"/> is not used.</summary>
    /// <returns>Whether <paramref name="s"/> is a device name.</returns>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ComputeDevice result) => TryParse(s, out result);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ComputeDeviceKind.Auto => "auto",
        ComputeDeviceKind.Cpu => "cpu",
        _ => Index is null ? "cuda" : $"cuda:{Index.Value.ToString(CultureInfo.InvariantCulture)}",
    };
}
