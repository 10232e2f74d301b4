using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using Microsoft.Win32.SafeHandles;

namespace StableVsr.Weights.Pickle;

/// <summary>
/// Reads the layout of a checkpoint in <c>torch.save</c>'s legacy format (PyTorch before 1.6, and later with
/// <c>_use_new_zipfile_serialization=False</c>; torchvision's <c>vgg16-397923af.pth</c> and the LPIPS and DISTS heads
/// are such files): five pickles one after another (the magic number 0x1950a86a20f9469cfc6c, the protocol version
/// 1001, a dict of system facts, the state dict with storages as persistent ids, the list of storage keys), then each
/// listed storage as an int64 element count followed by its raw little-endian bytes. Storages saved from a GPU
/// (location <c>cuda:0</c>) are read to the CPU like every other.
/// </summary>
internal static class LegacyCheckpointFile
{
    /// <summary>The protocol version every legacy file since PyTorch 0.1.10 carries.</summary>
    public const long ProtocolVersion = 1001;

    /// <summary>The first pickle of every legacy file.</summary>
    public static readonly BigInteger MagicNumber = BigInteger.Parse("01950a86a20f9469cfc6c", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private const int FirstReadBytes = 1 << 20;
    private const long MaxPickleBytes = 256L * 1024 * 1024;

    /// <summary>Reads the state dict's pickle and locates every storage in the file.</summary>
    /// <exception cref="UnsafePickleException">A pickle references a Python global or opcode a state dict never needs.</exception>
    /// <exception cref="CheckpointFormatException">The file is not a legacy checkpoint, or it is truncated or damaged.</exception>
    public static (object? Root, Dictionary<string, (StorageRef Storage, StorageSpan Span)> Storages) Read(SafeFileHandle file, string path)
    {
        var length = RandomAccess.GetLength(file);
        var window = (int)Math.Min(length, FirstReadBytes);
        while (true)
        {
            var head = ZipDirectory.ReadExactly(file, 0, window, path);
            try
            {
                return Parse(file, path, length, head);
            }
            catch (TruncatedPickleException) when (window < length && window < MaxPickleBytes)
            {
                // The pickles are longer than what was read so far: read more of the file and start again.
                window = (int)Math.Min(Math.Min(length, MaxPickleBytes), (long)window * 4);
            }
            catch (TruncatedPickleException e) when (window < length)
            {
                throw new CheckpointFormatException(path, $"its pickles are longer than the {MaxPickleBytes}-byte limit for a state dict.", e);
            }
            catch (TruncatedPickleException e)
            {
                throw new CheckpointFormatException(path, e.Problem + " The file is truncated.", e);
            }
        }
    }

    private static (object? Root, Dictionary<string, (StorageRef, StorageSpan)> Storages) Parse(SafeFileHandle file, string path, long length, byte[] head)
    {
        var magic = PickleReader.ReadAt(head, 0, path, "magic number");
        if (magic.Root is not BigInteger number || number != MagicNumber)
        {
            throw new CheckpointFormatException(path, "it is neither a zip-format PyTorch checkpoint (no zip signature at its start) nor a legacy torch.save file (its first pickle is not torch's magic number).");
        }

        var version = PickleReader.ReadAt(head, magic.End, path, "protocol version");
        if (version.Root is not long protocol || protocol != ProtocolVersion)
        {
            throw new CheckpointFormatException(path, $"it is a legacy torch.save file of protocol version {version.Root ?? "None"}; StableVsr reads version {ProtocolVersion}. Re-save it with a current PyTorch.");
        }

        var systemInfo = PickleReader.ReadAt(head, version.End, path, "system info");
        if (systemInfo.Root is PickleDict facts && facts.Entries.Any(e => e.Key is "little_endian" && e.Value is false))
        {
            throw new CheckpointFormatException(path, "it was saved on a big-endian machine; re-save it on a little-endian one.");
        }

        var stateDict = PickleReader.ReadAt(head, systemInfo.End, path, "state dict");
        var keyList = PickleReader.ReadAt(head, stateDict.End, path, "storage keys");
        if (keyList.Root is not List<object?> keys || keys.Any(k => k is not string))
        {
            throw new CheckpointFormatException(path, "its list of storage keys is not a list of strings.");
        }

        var storages = new Dictionary<string, (StorageRef, StorageSpan)>(StringComparer.Ordinal);
        long at = keyList.End;
        Span<byte> countBytes = stackalloc byte[8];
        foreach (var key in keys.Cast<string>())
        {
            if (!stateDict.Storages.TryGetValue(key, out var storage))
            {
                throw new CheckpointFormatException(path, $"its list of storages names '{key}', which its state dict never uses.");
            }

            if (storages.ContainsKey(key))
            {
                throw new CheckpointFormatException(path, $"its list of storages names '{key}' twice.");
            }

            ZipDirectory.ReadExactly(file, at, countBytes, path);
            var count = BinaryPrimitives.ReadInt64LittleEndian(countBytes);
            if (count != storage.ElementCount)
            {
                throw new CheckpointFormatException(path, $"storage '{key}' at byte {at} holds {count} elements, but the state dict says {storage.ElementCount}.");
            }

            var bytes = count * storage.DType.ElementSize();
            var data = at + 8;
            if (bytes > length - data)
            {
                throw new CheckpointFormatException(path, $"the file ends at {length} bytes, inside storage '{key}' ({bytes} bytes from {data}); it is truncated.");
            }

            storages[key] = (storage, new StorageSpan($"storage '{key}'", data, bytes));
            at = data + bytes;
        }

        var unlisted = stateDict.Storages.Keys.FirstOrDefault(k => !storages.ContainsKey(k));
        if (unlisted is not null)
        {
            throw new CheckpointFormatException(path, $"its state dict uses storage '{unlisted}', which the file's list of storages lacks.");
        }

        return (stateDict.Root, storages);
    }
}
