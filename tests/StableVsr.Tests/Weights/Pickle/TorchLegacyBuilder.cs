using System.Buffers.Binary;
using System.Text;

namespace StableVsr.Tests.Weights.Pickle;

/// <summary>
/// Writes checkpoints in torch.save's legacy (pre-1.6) layout the way Python 2 PyTorch did: byte-string keys
/// (SHORT_BINSTRING), an OrderedDict rebuilt from a list of pairs, storages located on 'cuda:0', then the storage list
/// and each storage as an int64 element count plus raw bytes. Tests control every detail without Python.
/// </summary>
internal sealed class TorchLegacyBuilder
{
    private readonly List<(string Key, string StorageKey, float[] Values, string Location)> tensors = [];

    /// <summary>Overrides the state-dict pickle (for hostile or malformed content).</summary>
    public byte[]? StateDictPickle { get; set; }

    /// <summary>The view metadata written in every persistent id (null: none, as every modern file).</summary>
    public (string Key, int Offset, int Size)? ViewMetadata { get; set; }

    public bool LittleEndian { get; set; } = true;

    public int ProtocolVersion { get; set; } = 1001;

    public TorchLegacyBuilder Tensor(string key, string storageKey, float[] values, string location = "cuda:0")
    {
        tensors.Add((key, storageKey, values, location));
        return this;
    }

    public string Write(string path)
    {
        using var file = new MemoryStream();
        // Magic number: PROTO 2, LONG1 of 10 bytes, STOP.
        file.Write([0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]);
        var p = new PickleWriter(file);
        p.Proto().Int(ProtocolVersion).Stop();
        p.Proto().EmptyDict().Mark()
            .Bytes("protocol_version").Int(1001)
            .Bytes("little_endian").Bool(LittleEndian)
            .Bytes("type_sizes").EmptyDict().Mark().Bytes("short").Int(2).Bytes("int").Int(4).Bytes("long").Int(4).SetItems()
            .SetItems().Stop();
        if (StateDictPickle is { } custom)
        {
            file.Write(custom);
        }
        else
        {
            WriteStateDict(p);
        }

        var keys = tensors.Select(t => t.StorageKey).Distinct().Order(StringComparer.Ordinal).ToArray();
        p.Proto().EmptyList().Mark();
        foreach (var key in keys)
        {
            p.Bytes(key);
        }

        p.Appends().Stop();
        var count = new byte[8];
        var bytes = new byte[4];
        foreach (var key in keys)
        {
            var values = tensors.First(t => t.StorageKey == key).Values;
            BinaryPrimitives.WriteInt64LittleEndian(count, values.Length);
            file.Write(count);
            foreach (var v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes, v);
                file.Write(bytes);
            }
        }

        File.WriteAllBytes(path, file.ToArray());
        return path;
    }

    private void WriteStateDict(PickleWriter p)
    {
        // OrderedDict([[key, _rebuild_tensor_v2(storage, 0, (n,), (1,), False, OrderedDict())], ...])
        p.Proto().Global("collections", "OrderedDict").EmptyList().Mark();
        foreach (var (key, storageKey, values, location) in tensors)
        {
            p.EmptyList().Mark().Bytes(key).Global("torch._utils", "_rebuild_tensor_v2").Mark()
                .Mark().Bytes("storage").Global("torch", "FloatStorage").Bytes(storageKey).Bytes(location).Int(values.Length);
            if (ViewMetadata is { } view)
            {
                p.Mark().Bytes(view.Key).Int(view.Offset).Int(view.Size).Tuple();
            }
            else
            {
                p.None();
            }

            p.Tuple().PersId().Int(0).Mark().Int(values.Length).Tuple().Mark().Int(1).Tuple().Bool(false)
                .Global("collections", "OrderedDict").EmptyTuple().Reduce()
                .Tuple().Reduce().Appends();
        }

        p.Appends().Tuple1().Reduce();
        // BUILD with the state {'_metadata': OrderedDict([['', {'version': 1}]])}, as nn.Module.state_dict() leaves it.
        p.EmptyDict().Bytes("_metadata").Global("collections", "OrderedDict").EmptyList().Mark()
            .EmptyList().Mark().Bytes(string.Empty).EmptyDict().Bytes("version").Int(1).SetItem().Appends()
            .Appends().Tuple1().Reduce().SetItem().Build().Stop();
    }

    /// <summary>Writes pickle opcodes (protocol 2) one by one.</summary>
    public sealed class PickleWriter(Stream stream)
    {
        public PickleWriter Proto() => Op(0x80, 0x02);

        public PickleWriter Stop() => Op(0x2E);

        public PickleWriter Mark() => Op(0x28);

        public PickleWriter Tuple() => Op(0x74);

        public PickleWriter Tuple1() => Op(0x85);

        public PickleWriter EmptyTuple() => Op(0x29);

        public PickleWriter EmptyList() => Op(0x5D);

        public PickleWriter EmptyDict() => Op(0x7D);

        public PickleWriter Appends() => Op(0x65);

        public PickleWriter SetItem() => Op(0x73);

        public PickleWriter SetItems() => Op(0x75);

        public PickleWriter Reduce() => Op(0x52);

        public PickleWriter Build() => Op(0x62);

        public PickleWriter PersId() => Op(0x51);

        public PickleWriter None() => Op(0x4E);

        public PickleWriter Bool(bool value) => Op(value ? (byte)0x88 : (byte)0x89);

        public PickleWriter Int(int value)
        {
            Span<byte> bytes = stackalloc byte[5];
            bytes[0] = 0x4A;
            BinaryPrimitives.WriteInt32LittleEndian(bytes[1..], value);
            stream.Write(bytes);
            return this;
        }

        /// <summary>A Python 2 byte string (SHORT_BINSTRING).</summary>
        public PickleWriter Bytes(string text)
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            stream.WriteByte(0x55);
            stream.WriteByte((byte)bytes.Length);
            stream.Write(bytes);
            return this;
        }

        public PickleWriter Global(string module, string name)
        {
            stream.WriteByte(0x63);
            stream.Write(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));
            return this;
        }

        private PickleWriter Op(params byte[] bytes)
        {
            stream.Write(bytes);
            return this;
        }
    }
}
