using System.Text.Json;
using System.Text.Json.Serialization;

namespace StableVsr;

/// <summary>
/// Reads and writes a <see cref="ComputeDevice"/> in JSON as its name ("auto", "cpu", "cuda", "cuda:N"), so a JSON
/// file and the <c>--device</c> flag take the same values; attached to the type, so every serializer uses it.
/// </summary>
internal sealed class ComputeDeviceJsonConverter : JsonConverter<ComputeDevice>
{
    /// <inheritdoc />
    public override ComputeDevice Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("Device must be a string: \"auto\", \"cpu\", \"cuda\" or \"cuda:N\".");
        }

        try
        {
            return ComputeDevice.Parse(reader.GetString()!);
        }
        catch (InvalidInputException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ComputeDevice value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}
