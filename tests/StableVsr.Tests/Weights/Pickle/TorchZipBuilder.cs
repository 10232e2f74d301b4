using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace StableVsr.Tests.Weights.Pickle;

/// <summary>
/// Builds checkpoints in torch.save's zip layout from hand-written pickle opcodes, so tests control every
/// detail (strided views, shared storages, missing members) without Python.
/// </summary>
internal sealed class TorchZipBuilder
{
    private readonly List<(string Key, string StorageClass, string StorageKey, int StorageElements, int Offset, int[] Shape, int[] Stride)> tensors = [];
    private readonly Dictionary<string, byte[]> storages = [];

    public TorchZipBuilder Storage(string key, byte[] bytes)
    {
        storages[key] = bytes;
        return this;
    }

    public TorchZipBuilder Tensor(string key, string storageClass, string storageKey, int storageElements, int offset, int[] shape, int[] stride)
    {
        tensors.Add((key, storageClass, storageKey, storageElements, offset, shape, stride));
        return this;
    }

    /// <summary>The pickle torch.save would write for the tensors added (protocol 2, OrderedDict of rebuilt tensors).</summary>
    public byte[] Pickle()
    {
        var p = new MemoryStream();
        p.Write([0x80, 0x02]);
        Global(p, "collections", "OrderedDict");
        p.Write([0x29, 0x52]); // EMPTY_TUPLE REDUCE
        p.WriteByte(0x28); // MARK
        foreach (var t in tensors)
        {
            Text(p, t.Key);
            Global(p, "torch._utils", "_rebuild_tensor_v2");
            p.WriteByte(0x28);
            p.WriteByte(0x28);
            Text(p, "storage");
            Global(p, "torch", t.StorageClass);
            Text(p, t.StorageKey);
            Text(p, "cpu");
            Int(p, t.StorageElements);
            p.WriteByte(0x74); // TUPLE
            p.WriteByte(0x51); // BINPERSID
            Int(p, t.Offset);
            IntTuple(p, t.Shape);
            IntTuple(p, t.Stride);
            p.WriteByte(0x89); // NEWFALSE
            Global(p, "collections", "OrderedDict");
            p.Write([0x29, 0x52]);
            p.WriteByte(0x74);
            p.WriteByte(0x52);
        }

        p.WriteByte(0x75); // SETITEMS
        p.WriteByte(0x2e); // STOP
        return p.ToArray();
    }

    public string Write(string path) => WriteWithPickle(path, Pickle());

    /// <summary>Writes the archive with any pickle bytes as its data.pkl.</summary>
    public string WriteWithPickle(string path, byte[] pickle, CompressionLevel level = CompressionLevel.NoCompression)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Add(zip, "archive/data.pkl", pickle, level);
        Add(zip, "archive/byteorder", Encoding.ASCII.GetBytes("little"), level);
        foreach (var (key, bytes) in storages)
        {
            Add(zip, "archive/data/" + key, bytes, level);
        }

        Add(zip, "archive/version", Encoding.ASCII.GetBytes("3\n"), level);
        return path;
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes, CompressionLevel level)
    {
        using var stream = zip.CreateEntry(name, level).Open();
        stream.Write(bytes);
    }

    private static void Global(Stream p, string module, string name)
    {
        p.WriteByte(0x63);
        p.Write(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));
    }

    private static void Text(Stream p, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        p.WriteByte(0x58);
        p.Write(length);
        p.Write(bytes);
    }

    private static void Int(Stream p, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        p.WriteByte(0x4a);
        p.Write(bytes);
    }

    private static void IntTuple(Stream p, int[] values)
    {
        p.WriteByte(0x28);
        foreach (var v in values)
        {
            Int(p, v);
        }

        p.WriteByte(0x74);
    }
}
