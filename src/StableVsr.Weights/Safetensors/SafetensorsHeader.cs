using System.Text.Json;

namespace StableVsr.Weights.Safetensors;

/// <summary>
/// A validated safetensors header: every tensor's info and byte range inside the data area, and the
/// <c>__metadata__</c> strings. Nothing in it is trusted before <see cref="Parse"/> has checked it.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>The largest header accepted. The biggest real headers (LLMs with ~10^4 tensors) are a few MB.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private SafetensorsHeader(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The tensors, in the header's order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Parses and validates header JSON against a data area of <paramref name="dataLength"/> bytes.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">Anything in the header is invalid.</exception>
    public static SafetensorsHeader Parse(ReadOnlyMemory<byte> json, long dataLength, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, $"the header is not valid UTF-8 JSON ({e.Message}).", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SafetensorsFormatException(path, $"the header must be a JSON object, found {document.RootElement.ValueKind}.");
            }

            var entries = new List<SafetensorsEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new SafetensorsFormatException(path, $"the header names '{property.Name}' twice.");
                }

                if (property.Name == "__metadata__")
                {
                    ReadMetadata(property.Value, metadata, path);
                }
                else
                {
                    entries.Add(ReadSafetensorsEntry(property.Name, property.Value, dataLength, path));
                }
            }

            CheckLayout(entries, dataLength, path);
            return new SafetensorsHeader(entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, $"'__metadata__' must be an object of strings, found {value.ValueKind}.");
        }

        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafetensorsFormatException(path, $"'__metadata__' value '{item.Name}' must be a string, found {item.Value.ValueKind}.");
            }

            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafetensorsEntry ReadSafetensorsEntry(string name, JsonElement value, long dataLength, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(path, $"tensor '{name}' must be described by an object, found {value.ValueKind}.");
        }

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new SafetensorsFormatException(path, $"tensor '{name}' has no string 'dtype'.");
        }

        var dtypeName = dtypeElement.GetString()!;
        if (!TensorDTypes.TryParseSafetensorsName(dtypeName, out var dtype))
        {
            throw new SafetensorsFormatException(path, $"tensor '{name}' has dtype '{dtypeName}', which StableVsr does not read (known: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL).");
        }

        var shape = ReadLongs(name, value, "shape", path);
        var offsets = ReadLongs(name, value, "data_offsets", path);
        if (offsets.Length != 2)
        {
            throw new SafetensorsFormatException(path, $"tensor '{name}' must have two 'data_offsets' [begin, end], found {offsets.Length}.");
        }

        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end || end > dataLength)
        {
            throw new SafetensorsFormatException(path, $"tensor '{name}' has data_offsets [{begin}, {end}] outside the data area of {dataLength} bytes.");
        }

        long bytes;
        try
        {
            bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * dtype.ElementSize());
        }
        catch (OverflowException e)
        {
            throw new SafetensorsFormatException(path, $"tensor '{name}' has shape [{string.Join(", ", shape)}], too large to exist.", e);
        }

        if (bytes != end - begin)
        {
            throw new SafetensorsFormatException(path, $"tensor '{name}' is {dtypeName} of shape [{string.Join(", ", shape)}] ({bytes} bytes) but data_offsets [{begin}, {end}] span {end - begin} bytes.");
        }

        return new SafetensorsEntry(new TensorInfo(name, dtype, shape, bytes), begin);
    }

    private static long[] ReadLongs(string name, JsonElement value, string field, string path)
    {
        if (!value.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new SafetensorsFormatException(path, $"tensor '{name}' has no '{field}' array.");
        }

        var result = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var n) || n < 0)
            {
                throw new SafetensorsFormatException(path, $"tensor '{name}' has '{field}' entry {item.GetRawText()}; expected a non-negative integer.");
            }

            result[i++] = n;
        }

        return result;
    }

    // The data area must be tiled exactly, in order, as the reference safetensors implementation requires:
    // overlapping ranges would alias tensors and gaps hide data nobody reads.
    private static void CheckLayout(List<SafetensorsEntry> entries, long dataLength, string path)
    {
        var ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.Info.ByteLength).ToArray();
        long expected = 0;
        foreach (var entry in ordered)
        {
            if (entry.Begin < expected)
            {
                throw new SafetensorsFormatException(path, $"tensor '{entry.Info.Name}' starts at data offset {entry.Begin}, inside the range of another tensor (which ends at {expected}): offsets overlap.");
            }

            if (entry.Begin > expected)
            {
                throw new SafetensorsFormatException(path, $"tensor '{entry.Info.Name}' starts at data offset {entry.Begin}, leaving a gap after offset {expected}.");
            }

            expected = entry.End;
        }

        if (expected != dataLength)
        {
            throw new SafetensorsFormatException(path, $"the tensors cover {expected} bytes of the {dataLength}-byte data area; the file has trailing bytes nobody describes.");
        }
    }
}
