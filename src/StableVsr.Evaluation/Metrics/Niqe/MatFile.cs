using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace StableVsr.Evaluation.Metrics.Niqe;

/// <summary>
/// The numeric matrices of a MATLAB level-5 MAT-file (the format of NIQE's <c>modelparameters.mat</c>): zlib-compressed
/// or plain <c>miMATRIX</c> elements of real numeric classes, read to float64 in MATLAB's column-major order.
/// Structs, cells, sparse, complex and character arrays are skipped; big-endian files are refused.
/// </summary>
internal static class MatFile
{
    private const int HeaderBytes = 128;
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7, MiDouble = 9;
    private const int MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;
    private const int MaxDecompressedBytes = 64 * 1024 * 1024;

    /// <summary>Reads every real numeric matrix of <paramref name="bytes"/> by name.</summary>
    /// <exception cref="ModelLoadException">The bytes are not a little-endian level-5 MAT-file, or an element is damaged.</exception>
    public static IReadOnlyDictionary<string, MatMatrix> Read(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < HeaderBytes || !bytes[..10].SequenceEqual("MATLAB 5.0"u8))
        {
            throw Damaged(source, "it does not start with a 'MATLAB 5.0 MAT-file' header");
        }

        if (bytes[126] != (byte)'I' || bytes[127] != (byte)'M')
        {
            throw Damaged(source, "it was written big-endian (or its endian indicator is damaged); save it again on a little-endian machine");
        }

        var matrices = new Dictionary<string, MatMatrix>(StringComparer.Ordinal);
        var position = HeaderBytes;
        while (position + 8 <= bytes.Length)
        {
            var (type, length, dataStart, next) = Tag(bytes, position, source);
            if (type == MiCompressed)
            {
                var inner = Inflate(bytes.Slice(dataStart, length), source);
                var (innerType, innerLength, innerStart, _) = Tag(inner, 0, source);
                if (innerType == MiMatrix)
                {
                    AddMatrix(inner.AsSpan(innerStart, innerLength), source, matrices);
                }
            }
            else if (type == MiMatrix)
            {
                AddMatrix(bytes.Slice(dataStart, length), source, matrices);
            }

            position = next;
        }

        return matrices;
    }

    private static void AddMatrix(ReadOnlySpan<byte> element, string source, Dictionary<string, MatMatrix> matrices)
    {
        var (flagsType, flagsLength, flagsStart, afterFlags) = Tag(element, 0, source);
        if (flagsType != MiUInt32 || flagsLength < 8)
        {
            throw Damaged(source, "a matrix lacks its array flags");
        }

        var flags = BinaryPrimitives.ReadUInt32LittleEndian(element[flagsStart..]);
        var mxClass = (int)(flags & 0xFF);
        var complex = (flags & 0x800) != 0;

        var (dimsType, dimsLength, dimsStart, afterDims) = Tag(element, afterFlags, source);
        if (dimsType != MiInt32 || dimsLength < 8 || dimsLength % 4 != 0)
        {
            throw Damaged(source, "a matrix lacks its dimensions");
        }

        var dims = new int[dimsLength / 4];
        for (var i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32LittleEndian(element[(dimsStart + (4 * i))..]);
            if (dims[i] < 0)
            {
                throw Damaged(source, $"a matrix has the negative dimension {dims[i]}");
            }
        }

        var (_, nameLength, nameStart, afterName) = Tag(element, afterDims, source);
        var name = Encoding.ASCII.GetString(element.Slice(nameStart, nameLength));

        // mxDOUBLE_CLASS (6) to mxUINT64_CLASS (15) are the numeric classes; cells, structs, chars and sparse are not needed.
        if (mxClass is < 6 or > 15 || complex)
        {
            return;
        }

        var count = dims.Aggregate(1L, (a, d) => a * d);
        var (realType, realLength, realStart, _) = Tag(element, afterName, source);
        var size = ElementSize(realType) ?? throw Damaged(source, $"matrix '{name}' stores its values as MAT type {realType}, which is not numeric");
        if (realLength != count * size)
        {
            throw Damaged(source, $"matrix '{name}' is [{string.Join("x", dims)}] but holds {realLength} bytes of {size}-byte values");
        }

        var values = new double[count];
        var data = element.Slice(realStart, realLength);
        for (var i = 0; i < values.Length; i++)
        {
            var at = data[(i * size)..];
            values[i] = realType switch
            {
                MiInt8 => (sbyte)at[0],
                MiUInt8 => at[0],
                MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(at),
                MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(at),
                MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(at),
                MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(at),
                MiSingle => BinaryPrimitives.ReadSingleLittleEndian(at),
                MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(at),
                MiUInt64 => BinaryPrimitives.ReadUInt64LittleEndian(at),
                _ => BinaryPrimitives.ReadDoubleLittleEndian(at),
            };
        }

        matrices[name] = new MatMatrix(name, dims, values);
    }

    private static int? ElementSize(int type) => type switch
    {
        MiInt8 or MiUInt8 => 1,
        MiInt16 or MiUInt16 => 2,
        MiInt32 or MiUInt32 or MiSingle => 4,
        MiDouble or MiInt64 or MiUInt64 => 8,
        _ => null,
    };

    // A data element's tag: 8 bytes (type, length) with data padded to 8 bytes, or the 4-byte "small element" form
    // (length in the upper half of the first word) whose up to 4 data bytes share the 8 bytes of the tag.
    private static (int Type, int Length, int DataStart, int Next) Tag(ReadOnlySpan<byte> bytes, int position, string source)
    {
        if (position + 8 > bytes.Length)
        {
            throw Damaged(source, $"an element tag at byte {position} runs past the end");
        }

        var first = BinaryPrimitives.ReadUInt32LittleEndian(bytes[position..]);
        if ((first >> 16) != 0)
        {
            var smallLength = (int)(first >> 16);
            if (smallLength > 4)
            {
                throw Damaged(source, $"a small element at byte {position} claims {smallLength} bytes");
            }

            return ((int)(first & 0xFFFF), smallLength, position + 4, position + 8);
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(position + 4)..]);
        var type = (int)first;
        var padded = type == MiCompressed ? length : (length + 7L) / 8 * 8;
        if (position + 8L + length > bytes.Length)
        {
            throw Damaged(source, $"an element at byte {position} claims {length} bytes, past the end ({bytes.Length} bytes)");
        }

        return (type, (int)length, position + 8, (int)Math.Min(position + 8L + padded, bytes.Length));
    }

    private static byte[] Inflate(ReadOnlySpan<byte> compressed, string source)
    {
        try
        {
            using var input = new MemoryStream(compressed.ToArray());
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = zlib.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, read);
                if (output.Length > MaxDecompressedBytes)
                {
                    throw Damaged(source, $"a compressed element inflates past {MaxDecompressedBytes} bytes");
                }
            }

            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new ModelLoadException($"MAT-file '{source}' is damaged: a compressed element cannot be inflated ({e.Message}).", source, e);
        }
    }

    private static ModelLoadException Damaged(string source, string problem) =>
        new($"'{source}' is not a readable MATLAB MAT-file: {problem}.", source);
}
