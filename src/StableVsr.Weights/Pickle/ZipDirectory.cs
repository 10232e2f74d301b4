using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace StableVsr.Weights.Pickle;

/// <summary>
/// Reads the central directory of a zip archive as <c>torch.save</c> writes it (stored members, zip64 when large)
/// and locates each member's data, so tensors can be read straight from the file. Every offset and size is
/// checked against the file before it is used.
/// </summary>
internal static class ZipDirectory
{
    private const uint EndOfCentralDirectory = 0x06054b50;
    private const uint Zip64EndOfCentralDirectory = 0x06064b50;
    private const uint Zip64Locator = 0x07064b50;
    private const uint CentralHeader = 0x02014b50;
    private const uint LocalHeader = 0x04034b50;
    private const int MaxCommentLength = 0xFFFF;
    private const long MaxCentralDirectoryBytes = 256L * 1024 * 1024;

    /// <summary>Reads the members of the archive open as <paramref name="file"/>, keyed by name.</summary>
    /// <exception cref="CheckpointFormatException">The archive is damaged, encrypted or compressed.</exception>
    public static Dictionary<string, ZipEntry> Read(SafeFileHandle file, string path)
    {
        var fileLength = RandomAccess.GetLength(file);
        var (count, directoryOffset, directoryLength) = FindCentralDirectory(file, fileLength, path);
        if (directoryLength > MaxCentralDirectoryBytes || directoryOffset + directoryLength > fileLength)
        {
            throw new CheckpointFormatException(path, $"the zip central directory ({directoryLength} bytes at {directoryOffset}) does not fit in the {fileLength}-byte file.");
        }

        var directory = ReadExactly(file, directoryOffset, (int)directoryLength, path);
        var entries = new Dictionary<string, ZipEntry>(StringComparer.Ordinal);
        var position = 0;
        for (long i = 0; i < count; i++)
        {
            var entry = ReadCentralEntry(file, directory, ref position, directoryOffset, path);
            if (!entries.TryAdd(entry.Name, entry))
            {
                throw new CheckpointFormatException(path, $"the zip archive holds '{entry.Name}' twice.");
            }
        }

        return entries;
    }

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/>, failing when the file ends first.</summary>
    public static byte[] ReadExactly(SafeFileHandle file, long offset, int length, string path)
    {
        var buffer = new byte[length];
        ReadExactly(file, offset, buffer, path);
        return buffer;
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>, failing when the file ends first.</summary>
    public static void ReadExactly(SafeFileHandle file, long offset, Span<byte> buffer, string path)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var read = RandomAccess.Read(file, buffer[done..], offset + done);
            if (read == 0)
            {
                throw new CheckpointFormatException(path, $"the file ends at {offset + done} bytes, inside data that should run to {offset + buffer.Length}; it is truncated.");
            }

            done += read;
        }
    }

    private static (long Count, long Offset, long Length) FindCentralDirectory(SafeFileHandle file, long fileLength, string path)
    {
        var tailLength = (int)Math.Min(fileLength, 22 + MaxCommentLength);
        var tail = ReadExactly(file, fileLength - tailLength, tailLength, path);
        for (var at = tailLength - 22; at >= 0; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at)) != EndOfCentralDirectory ||
                BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 20)) != tailLength - at - 22)
            {
                continue;
            }

            long count = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 10));
            long length = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at + 12));
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at + 16));
            if (count != 0xFFFF && length != 0xFFFFFFFF && offset != 0xFFFFFFFF)
            {
                return (count, offset, length);
            }

            var locatorAt = fileLength - tailLength + at - 20;
            if (locatorAt < 0)
            {
                break;
            }

            var locator = ReadExactly(file, locatorAt, 20, path);
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator) != Zip64Locator)
            {
                break;
            }

            var recordAt = BinaryPrimitives.ReadInt64LittleEndian(locator.AsSpan(8));
            if (recordAt < 0 || recordAt + 56 > fileLength)
            {
                break;
            }

            var record = ReadExactly(file, recordAt, 56, path);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EndOfCentralDirectory)
            {
                break;
            }

            return (BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(32)), BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(48)), BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(40)));
        }

        throw new CheckpointFormatException(path, "no valid zip end-of-central-directory record was found; the archive is truncated or damaged.");
    }

    private static ZipEntry ReadCentralEntry(SafeFileHandle file, byte[] directory, ref int position, long directoryOffset, string path)
    {
        var span = directory.AsSpan();
        if (position + 46 > span.Length || BinaryPrimitives.ReadUInt32LittleEndian(span[position..]) != CentralHeader)
        {
            throw new CheckpointFormatException(path, $"the zip central directory is damaged at byte {position}.");
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(span[(position + 8)..]);
        var method = BinaryPrimitives.ReadUInt16LittleEndian(span[(position + 10)..]);
        long compressed = BinaryPrimitives.ReadUInt32LittleEndian(span[(position + 20)..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(span[(position + 24)..]);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(span[(position + 28)..]);
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(span[(position + 30)..]);
        int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(span[(position + 32)..]);
        long localOffset = BinaryPrimitives.ReadUInt32LittleEndian(span[(position + 42)..]);
        var end = position + 46 + nameLength + extraLength + commentLength;
        if (end > span.Length)
        {
            throw new CheckpointFormatException(path, $"the zip central directory is damaged at byte {position}.");
        }

        var name = Encoding.UTF8.GetString(span.Slice(position + 46, nameLength));
        ReadZip64Extra(span.Slice(position + 46 + nameLength, extraLength), ref size, ref compressed, ref localOffset);
        position = end;

        if ((flags & 1) != 0)
        {
            throw new CheckpointFormatException(path, $"zip member '{name}' is encrypted.");
        }

        if ((method != 0 || compressed != size) && IsTorchScriptCode(name))
        {
            // torch.jit.save deflates the archive's code; it is never read, so it is listed without a location.
            return new ZipEntry(name, -1, 0);
        }

        if (method != 0 || compressed != size)
        {
            throw new CheckpointFormatException(path, $"zip member '{name}' is compressed (method {method}); torch.save stores members uncompressed. Re-save the checkpoint with torch.save.");
        }

        if (localOffset < 0 || localOffset + 30 > directoryOffset)
        {
            throw new CheckpointFormatException(path, $"zip member '{name}' starts at {localOffset}, outside the archive's data.");
        }

        var local = ReadExactly(file, localOffset, 30, path);
        if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalHeader)
        {
            throw new CheckpointFormatException(path, $"zip member '{name}' has no local header at {localOffset}.");
        }

        var dataOffset = localOffset + 30 + BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(28));
        if (size < 0 || dataOffset + size > directoryOffset)
        {
            throw new CheckpointFormatException(path, $"zip member '{name}' ({size} bytes at {dataOffset}) runs past the archive's data.");
        }

        return new ZipEntry(name, dataOffset, size);
    }

    private static bool IsTorchScriptCode(string name) =>
        name.Contains("/code/", StringComparison.Ordinal) || name.EndsWith(".debug_pkl", StringComparison.Ordinal);

    // Zip64 moves sizes and offsets that overflow 32 bits into extra field 0x0001, in a fixed order and only
    // for the fields whose 32-bit slot holds 0xFFFFFFFF.
    private static void ReadZip64Extra(ReadOnlySpan<byte> extra, ref long size, ref long compressed, ref long localOffset)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (4 + length > extra.Length)
            {
                return;
            }

            var data = extra.Slice(4, length);
            extra = extra[(4 + length)..];
            if (id != 1)
            {
                continue;
            }

            var at = 0;
            if (size == 0xFFFFFFFF && at + 8 <= data.Length)
            {
                size = BinaryPrimitives.ReadInt64LittleEndian(data[at..]);
                at += 8;
            }

            if (compressed == 0xFFFFFFFF && at + 8 <= data.Length)
            {
                compressed = BinaryPrimitives.ReadInt64LittleEndian(data[at..]);
                at += 8;
            }

            if (localOffset == 0xFFFFFFFF && at + 8 <= data.Length)
            {
                localOffset = BinaryPrimitives.ReadInt64LittleEndian(data[at..]);
            }
        }
    }
}
