using System.ComponentModel;
using System.Globalization;

namespace StableVsr;

/// <summary>
/// Converts device names to <see cref="ComputeDevice"/> and back, so that configuration binding
/// (<c>"Device": "cuda:1"</c> in appsettings.json) and anything else that uses type converters reads the same names as
/// <see cref="ComputeDevice.Parse(string)"/>. An unknown name is an error, never a silent default.
/// </summary>
internal sealed class ComputeDeviceTypeConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) => destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    /// <inheritdoc />
    /// <exception cref="InvalidInputException">The text is not a device name.</exception>
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string name ? ComputeDevice.Parse(name) : base.ConvertFrom(context, culture, value);

    /// <inheritdoc />
    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is ComputeDevice device ? device.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
