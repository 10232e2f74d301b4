using System.Buffers.Binary;
using System.Text;

namespace StableVsr.Tests.Weights;

/// <summary>Writes safetensors files byte by byte, so tests can build the malformed ones a writer refuses to make.</summary>
internal static class RawSafetensors
{
    /// <summary>Writes an 8-byte length, the header text, and the data bytes.</summary>
    public static string Write(string path, string header, byte[] data, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        return WriteBytes(path, json, data, declaredLength);
    }

    /// <summary>Writes an 8-byte length, raw header bytes (possibly not UTF-8), and the data bytes.</summary>
    public static string WriteBytes(string path, byte[] header, byte[] data, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Little-endian bytes of float32 values.</summary>
    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }
}
