using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;

namespace StableVsr.Weights.Safetensors;

/// <summary>
/// Writes tensors as a <c>.safetensors</c> file that <see cref="SafetensorsFile"/> and Python's safetensors read.
/// The file appears atomically: it is written to a temporary file beside the target and renamed over it, so an
/// interrupted write never leaves a half-written checkpoint under the target name.
/// </summary>
internal static class SafetensorsWriter
{
    private const int Alignment = 8;

    /// <summary>Writes <paramref name="tensors"/> (any device; contiguous copies are made as needed) in the given order.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">Key and tensor pairs; keys must be unique and not <c>__metadata__</c>.</param>
    /// <param name="metadata">Strings stored under <c>__metadata__</c>; <c>{"format": "pt"}</c> when null, as PyTorch's writer does.</param>
    /// <exception cref="ArgumentException">A key repeats, or a tensor has a dtype safetensors cannot store here.</exception>
    /// <exception cref="ModelLoadException">The file cannot be written.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var infos = list.Select(p => new TensorInfo(
            p.Key,
            TensorDTypes.FromScalarType(p.Value.dtype) ?? throw new ArgumentException($"Tensor '{p.Key}' has dtype {p.Value.dtype}, which safetensors files here cannot hold.", nameof(tensors)),
            p.Value.shape,
            p.Value.numel() * p.Value.ElementSize)).ToList();
        WriteFile(path, infos, metadata, (i, stream) => WriteTensor(list[i].Value, stream));
    }

    /// <summary>
    /// Copies every tensor of <paramref name="source"/> (e.g. a converted <c>.pth</c>) one at a time, so memory
    /// holds at most one tensor.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="source">The tensors to copy, in the order of its keys.</param>
    /// <param name="metadata">Strings stored under <c>__metadata__</c>; <c>{"format": "pt"}</c> when null.</param>
    /// <exception cref="ModelLoadException">The source or the file cannot be read or written.</exception>
    public static void Write(string path, ITensorSource source, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var infos = source.Keys.Select(source.GetInfo).ToList();
        WriteFile(path, infos, metadata, (i, stream) =>
        {
            using var tensor = source.Load(infos[i].Name);
            WriteTensor(tensor, stream);
        });
    }

    private static void WriteFile(string path, List<TensorInfo> infos, IReadOnlyDictionary<string, string>? metadata, Action<int, Stream> writeTensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var header = BuildHeader(infos, metadata ?? new Dictionary<string, string> { ["format"] = "pt" });
        var fullPath = Path.GetFullPath(path);
        var temporary = fullPath + $".{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                for (var i = 0; i < infos.Count; i++)
                {
                    writeTensor(i, stream);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"Safetensors file '{fullPath}' cannot be written: {e.Message}", fullPath, e);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static byte[] BuildHeader(List<TensorInfo> infos, IReadOnlyDictionary<string, string> metadata)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            long offset = 0;
            foreach (var info in infos)
            {
                if (info.Name == "__metadata__" || !seen.Add(info.Name))
                {
                    throw new ArgumentException($"Tensor key '{info.Name}' is reserved or appears twice.", nameof(infos));
                }

                json.WriteStartObject(info.Name);
                json.WriteString("dtype", info.DType.SafetensorsName());
                json.WriteStartArray("shape");
                foreach (var d in info.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + info.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += info.ByteLength;
            }

            json.WriteEndObject();
        }

        // Padding the header with spaces puts the data area on an 8-byte boundary, as Python's writer does,
        // so every tensor of 8-byte elements or smaller stays aligned in a memory map.
        var length = (int)buffer.Length;
        var padded = (length + Alignment - 1) / Alignment * Alignment;
        var header = new byte[padded];
        buffer.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    private static void WriteTensor(torch.Tensor tensor, Stream stream)
    {
        var plain = tensor.device_type == DeviceType.CPU && tensor.is_contiguous() ? tensor : tensor.cpu().contiguous();
        try
        {
            TensorBytes.ForEachChunk(plain, (_, span) => stream.Write(span));
        }
        finally
        {
            if (!ReferenceEquals(plain, tensor))
            {
                plain.Dispose();
            }
        }
    }
}
