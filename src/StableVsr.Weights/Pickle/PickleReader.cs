using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace StableVsr.Weights.Pickle;

/// <summary>
/// A restricted Python unpickler for <c>torch.save</c> state dicts. It interprets the pickle opcodes that build
/// plain data (numbers, strings, tuples, lists, dicts) and knows a fixed set of globals: <c>collections.OrderedDict</c>,
/// the tensor and parameter rebuild functions of <c>torch._utils</c>, and the <c>torch.*Storage</c> classes, whose
/// storages arrive as persistent ids. Any other global, and every opcode that would construct or call arbitrary
/// objects (<c>INST</c>, <c>OBJ</c>, <c>NEWOBJ</c>, extensions, buffers), is refused before anything else happens.
/// A TorchScript archive's <c>data.pkl</c> (OpenAI's CLIP <c>RN50.pt</c>) is read in a mode that also accepts
/// <c>__torch__.*</c> classes: <c>NEWOBJ</c> of such a class with no arguments gives an empty attribute dict and
/// <c>BUILD</c> fills it, so a scripted module reads as nested dicts of its attributes; its code is never looked at.
/// Python 2 pickles (byte strings as <c>SHORT_BINSTRING</c>, <c>OrderedDict</c> rebuilt from a list of pairs) read
/// the same way; integers wider than 64 bits (the legacy format's magic number) become <see cref="BigInteger"/>s.
/// </summary>
internal sealed class PickleReader
{
    private static readonly Dictionary<string, TensorDType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["torch.DoubleStorage"] = TensorDType.F64,
        ["torch.FloatStorage"] = TensorDType.F32,
        ["torch.HalfStorage"] = TensorDType.F16,
        ["torch.BFloat16Storage"] = TensorDType.BF16,
        ["torch.LongStorage"] = TensorDType.I64,
        ["torch.IntStorage"] = TensorDType.I32,
        ["torch.ShortStorage"] = TensorDType.I16,
        ["torch.CharStorage"] = TensorDType.I8,
        ["torch.ByteStorage"] = TensorDType.U8,
        ["torch.BoolStorage"] = TensorDType.Bool,
        ["torch.UntypedStorage"] = TensorDType.U8,
        ["torch.storage.UntypedStorage"] = TensorDType.U8,
    };

    private static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
    };

    private readonly byte[] data;
    private readonly string path;
    private readonly string what;
    private readonly Dictionary<string, StorageRef> storages = new(StringComparer.Ordinal);
    private readonly List<object?> stack = [];
    private readonly List<int> marks = [];
    private readonly Dictionary<long, object?> memo = [];
    private readonly HashSet<PickleDict>? scriptObjects;
    private int position;

    private PickleReader(byte[] data, int start, string path, string what, bool torchScript = false)
    {
        scriptObjects = torchScript ? new HashSet<PickleDict>(ReferenceEqualityComparer.Instance) : null;
        this.data = data;
        this.path = path;
        this.what = what;
        position = start;
    }

    /// <summary>Whether <c>module.name</c> is a global this reader accepts.</summary>
    public static bool IsAllowedGlobal(string qualifiedName) => Functions.Contains(qualifiedName) || StorageTypes.ContainsKey(qualifiedName);

    /// <summary>Interprets <paramref name="pickle"/> and returns the object it builds.</summary>
    /// <exception cref="UnsafePickleException">The pickle names a refused global or uses a refused opcode.</exception>
    /// <exception cref="CheckpointFormatException">The pickle is malformed or builds something a state dict never holds.</exception>
    public static object? Read(byte[] pickle, string path, bool torchScript = false)
    {
        try
        {
            return new PickleReader(pickle, 0, path, "data.pkl", torchScript).Run();
        }
        catch (TruncatedPickleException e)
        {
            // The whole pickle was given: running out of bytes is plain damage.
            throw new CheckpointFormatException(path, e.Problem, e);
        }
    }

    /// <summary>
    /// Interprets the pickle that starts at byte <paramref name="start"/> of <paramref name="data"/> (files hold
    /// several one after another), naming it <paramref name="what"/> in messages.
    /// </summary>
    /// <returns>The object it builds, every storage its persistent ids name (by key), and the byte after its STOP.</returns>
    /// <exception cref="TruncatedPickleException"><paramref name="data"/> ends before the pickle does.</exception>
    /// <exception cref="UnsafePickleException">The pickle names a refused global or uses a refused opcode.</exception>
    /// <exception cref="CheckpointFormatException">The pickle is malformed or builds something a state dict never holds.</exception>
    public static PickleResult ReadAt(byte[] data, int start, string path, string what)
    {
        var reader = new PickleReader(data, start, path, what);
        var root = reader.Run();
        return new PickleResult(root, reader.storages, reader.position);
    }

    private object? Run()
    {
        while (true)
        {
            var at = position;
            var opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > 5)
                    {
                        throw Malformed($"pickle protocol {protocol} is newer than any this reader knows (2 to 5)");
                    }

                    break;
                case 0x95: // FRAME: framing is only a hint for buffered readers
                    Take(8);
                    break;
                case 0x2e: // STOP
                    if (stack.Count != 1)
                    {
                        throw Malformed($"the pickle stops with {stack.Count} objects on its stack instead of one");
                    }

                    return stack[0];
                case 0x28: // MARK
                    marks.Add(stack.Count);
                    break;
                case 0x30: // POP
                    Pop();
                    break;
                case 0x31: // POP_MARK
                    PopMark();
                    break;
                case 0x32: // DUP
                    Push(Peek());
                    break;
                case 0x4e: // NONE
                    Push(null);
                    break;
                case 0x88: // NEWTRUE
                    Push(true);
                    break;
                case 0x89: // NEWFALSE
                    Push(false);
                    break;
                case 0x4b: // BININT1
                    Push((long)ReadByte());
                    break;
                case 0x4d: // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case 0x4a: // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case 0x8a: // LONG1
                    Push(ReadLong(ReadByte()));
                    break;
                case 0x8b: // LONG4
                    Push(ReadLong(BinaryPrimitives.ReadInt32LittleEndian(Take(4))));
                    break;
                case 0x49: // INT (text; I00 and I01 are the protocol-0 booleans)
                    var intText = ReadLine();
                    Push(intText switch
                    {
                        "00" => false,
                        "01" => true,
                        _ => ParseInteger(intText),
                    });
                    break;
                case 0x4c: // LONG (text)
                    Push(ParseInteger(ReadLine().TrimEnd('L')));
                    break;
                case 0x47: // BINFLOAT
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case 0x46: // FLOAT (text)
                    var floatText = ReadLine();
                    Push(double.TryParse(floatText, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw Malformed($"FLOAT '{floatText}' is not a number"));
                    break;
                case 0x58: // BINUNICODE
                    Push(Utf8(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(Utf8(Take(ReadByte())));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(Utf8(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8))))));
                    break;
                case 0x56: // UNICODE (raw-unicode-escape text; state dict keys are plain)
                    Push(ReadLine());
                    break;
                case 0x55: // SHORT_BINSTRING (Python 2 str)
                    Push(Encoding.Latin1.GetString(Take(ReadByte())));
                    break;
                case 0x54: // BINSTRING
                    Push(Encoding.Latin1.GetString(Take(Length((uint)BinaryPrimitives.ReadInt32LittleEndian(Take(4))))));
                    break;
                case 0x53: // STRING (quoted text)
                    Push(ReadLine().Trim('\'', '"'));
                    break;
                case 0x43: // SHORT_BINBYTES
                    Push(Take(ReadByte()).ToArray());
                    break;
                case 0x42: // BINBYTES
                    Push(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray());
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    Push(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray());
                    break;
                case 0x29: // EMPTY_TUPLE
                    Push(Array.Empty<object?>());
                    break;
                case 0x85: // TUPLE1
                    Push(new[] { Pop() });
                    break;
                case 0x86: // TUPLE2
                    var second = Pop();
                    Push(new[] { Pop(), second });
                    break;
                case 0x87: // TUPLE3
                    var third = Pop();
                    var secondOfThree = Pop();
                    Push(new[] { Pop(), secondOfThree, third });
                    break;
                case 0x74: // TUPLE
                    Push(PopMark().ToArray());
                    break;
                case 0x5d: // EMPTY_LIST
                case 0x8f: // EMPTY_SET: a set of plain values reads as a list
                    Push(new List<object?>());
                    break;
                case 0x6c: // LIST
                case 0x91: // FROZENSET
                    Push(PopMark());
                    break;
                case 0x61: // APPEND
                    var item = Pop();
                    AsList(Peek(), "APPEND").Add(item);
                    break;
                case 0x65: // APPENDS
                case 0x90: // ADDITEMS
                    var items = PopMark();
                    AsList(Peek(), "APPENDS").AddRange(items);
                    break;
                case 0x7d: // EMPTY_DICT
                    Push(new PickleDict());
                    break;
                case 0x64: // DICT
                    var dict = new PickleDict();
                    SetItems(dict, PopMark());
                    Push(dict);
                    break;
                case 0x73: // SETITEM
                    var value = Pop();
                    var key = Pop();
                    SetItems(AsDict(Peek(), "SETITEM"), [key, value]);
                    break;
                case 0x75: // SETITEMS
                    var pairs = PopMark();
                    SetItems(AsDict(Peek(), "SETITEMS"), pairs);
                    break;
                case 0x70: // PUT
                    memo[ParseInteger(ReadLine())] = Peek();
                    break;
                case 0x71: // BINPUT
                    memo[ReadByte()] = Peek();
                    break;
                case 0x72: // LONG_BINPUT
                    memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek();
                    break;
                case 0x94: // MEMOIZE
                    memo[memo.Count] = Peek();
                    break;
                case 0x67: // GET
                    Push(Recall(ParseInteger(ReadLine())));
                    break;
                case 0x68: // BINGET
                    Push(Recall(ReadByte()));
                    break;
                case 0x6a: // LONG_BINGET
                    Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))));
                    break;
                case 0x63: // GLOBAL
                    var module = ReadLine();
                    Push(Global(module, ReadLine()));
                    break;
                case 0x93: // STACK_GLOBAL
                    var name = Pop() as string ?? throw Malformed("STACK_GLOBAL needs two strings");
                    Push(Global(Pop() as string ?? throw Malformed("STACK_GLOBAL needs two strings"), name));
                    break;
                case 0x51: // BINPERSID
                    Push(PersistentLoad(Pop()));
                    break;
                case 0x52: // REDUCE
                    var arguments = Pop() as object?[] ?? throw Malformed("REDUCE needs an argument tuple");
                    Push(Call(Pop(), arguments));
                    break;
                case 0x81 when scriptObjects is not null: // NEWOBJ, TorchScript archives only
                    var noArguments = Pop();
                    var scriptClass = Pop();
                    if (scriptClass is not PickleGlobal { Module: var scriptModule } || !IsScriptClass(scriptModule) || noArguments is not object?[] { Length: 0 })
                    {
                        throw Malformed($"NEWOBJ builds {Describe(scriptClass)} with {Describe(noArguments)}; a TorchScript archive only builds __torch__ classes without arguments");
                    }

                    var instance = new PickleDict();
                    scriptObjects.Add(instance);
                    Push(instance);
                    break;
                case 0x62: // BUILD
                    var state = Pop();
                    if (Peek() is PickleDict target && scriptObjects?.Contains(target) == true)
                    {
                        if (state is not PickleDict attributes)
                        {
                            throw Malformed($"BUILD sets a TorchScript object's state to {Describe(state)}, not a dict of attributes");
                        }

                        foreach (var (attribute, attributeValue) in attributes.Entries)
                        {
                            target.Set(attribute, attributeValue);
                        }
                    }
                    else if (Peek() is not PickleDict)
                    {
                        throw Malformed($"BUILD sets the state of a {Describe(Peek())}; a state dict only sets it on dicts (their _metadata)");
                    }

                    break;
                default:
                    throw new UnsafePickleException(path, $"opcode 0x{opcode:X2}", $"the pickle uses opcode 0x{opcode:X2} ({OpcodeName(opcode)}) at byte {at}, which builds objects or reads data a state dict never needs.");
            }
        }
    }

    private static bool IsScriptClass(string module) => module == "__torch__" || module.StartsWith("__torch__.", StringComparison.Ordinal);

    private object Global(string module, string name)
    {
        var qualified = module + "." + name;
        if (scriptObjects is not null && IsScriptClass(module))
        {
            return new PickleGlobal(module, name);
        }

        if (!IsAllowedGlobal(qualified))
        {
            throw new UnsafePickleException(path, qualified, $"the pickle references the Python global '{qualified}', which is not part of a state dict (allowed: collections.OrderedDict, torch._utils tensor/parameter rebuild functions, torch storage classes).");
        }

        return new PickleGlobal(module, name);
    }

    private StorageRef PersistentLoad(object? id)
    {
        if (id is not object?[] { Length: >= 5 } parts || parts[0] is not "storage")
        {
            throw Malformed($"persistent id {Describe(id)} is not a ('storage', type, key, location, size) tuple");
        }

        if (parts[1] is not PickleGlobal type || !StorageTypes.TryGetValue(type.ToString(), out var dtype))
        {
            throw Malformed($"persistent id names storage type {Describe(parts[1])}, not a torch storage class");
        }

        if (parts[2] is not string key || parts[4] is not long count || count < 0)
        {
            throw Malformed($"persistent id ('storage', {type}, {Describe(parts[2])}, ..., {Describe(parts[4])}) has no string key or no element count");
        }

        // The legacy format adds view metadata, (view key, offset, size) when a storage was saved as a slice of
        // another; PyTorch never wrote such views for parameters since 0.4, so they are refused rather than guessed.
        // The location (parts[3], 'cpu' or 'cuda:0') is ignored: everything is read to the CPU.
        if (parts.Length > 5 && parts[5] is not null)
        {
            throw new CheckpointFormatException(path, $"storage '{key}' is saved as a view of another storage ({Describe(parts[5])}), which only pre-0.4 PyTorch wrote. Load and re-save the file with a current PyTorch.");
        }

        var storage = new StorageRef(key, dtype, count);
        if (storages.TryGetValue(key, out var earlier) && earlier != storage)
        {
            throw Malformed($"storage '{key}' is named as {earlier.DType} x {earlier.ElementCount} and as {dtype} x {count}");
        }

        storages[key] = storage;
        return storage;
    }

    private object? Call(object? callable, object?[] arguments)
    {
        if (callable is not PickleGlobal function || !Functions.Contains(function.ToString()))
        {
            throw Malformed($"REDUCE calls {Describe(callable)}, which is not a function a state dict calls");
        }

        switch (function.Name)
        {
            case "OrderedDict":
                return arguments switch
                {
                    [] => new PickleDict(),
                    [List<object?> pairs] => FromPairs(pairs), // Python 2 pickles an OrderedDict as OrderedDict([[k, v], ...])
                    _ => throw Malformed($"collections.OrderedDict is called with ({string.Join(", ", arguments.Select(a => Describe(a)))}); state dicts pass nothing or a list of pairs"),
                };
            case "_rebuild_tensor":
            case "_rebuild_tensor_v2":
                if (arguments.Length < 4 || arguments[0] is not StorageRef storage || arguments[1] is not long offset)
                {
                    throw Malformed($"{function} is called with ({string.Join(", ", arguments.Select(a => Describe(a)))}); expected (storage, offset, size, stride, ...)");
                }

                var shape = Longs(arguments[2], function, "size");
                var stride = Longs(arguments[3], function, "stride");
                if (shape.Length != stride.Length || offset < 0 || shape.Any(n => n < 0) || stride.Any(s => s < 0))
                {
                    throw Malformed($"{function} is called with size [{string.Join(", ", shape)}], stride [{string.Join(", ", stride)}] and offset {offset}, which do not describe a tensor");
                }

                return new TensorRef(storage, offset, shape, stride);
            default: // _rebuild_parameter, _rebuild_parameter_with_state: a parameter is its data
                return arguments.Length >= 1 && arguments[0] is TensorRef data
                    ? data
                    : throw Malformed($"{function} is called without a tensor");
        }
    }

    private long[] Longs(object? value, PickleGlobal function, string argument) =>
        value is object?[] items && items.All(i => i is long)
            ? items.Select(i => (long)i!).ToArray()
            : throw Malformed($"{function} gets {argument} {Describe(value)}; expected a tuple of integers");

    private PickleDict FromPairs(List<object?> pairs)
    {
        var dict = new PickleDict();
        foreach (var pair in pairs)
        {
            var (key, value) = pair switch
            {
                List<object?> { Count: 2 } list => (list[0], list[1]),
                object?[] { Length: 2 } tuple => (tuple[0], tuple[1]),
                _ => throw Malformed($"collections.OrderedDict is given {Describe(pair)} where a [key, value] pair belongs"),
            };
            dict.Set(key ?? throw Malformed("a dict key is None"), value);
        }

        return dict;
    }

    private void SetItems(PickleDict dict, List<object?> pairs)
    {
        if (pairs.Count % 2 != 0)
        {
            throw Malformed("a dict is given an odd number of keys and values");
        }

        for (var i = 0; i < pairs.Count; i += 2)
        {
            dict.Set(pairs[i] ?? throw Malformed("a dict key is None"), pairs[i + 1]);
        }
    }

    private List<object?> AsList(object? target, string opcode) =>
        target as List<object?> ?? throw Malformed($"{opcode} applies to a {Describe(target)}, not a list");

    private PickleDict AsDict(object? target, string opcode) =>
        target as PickleDict ?? throw Malformed($"{opcode} applies to a {Describe(target)}, not a dict");

    private object? Recall(long key) =>
        memo.TryGetValue(key, out var value) ? value : throw Malformed($"memo entry {key} is read before it is written");

    private void Push(object? value) => stack.Add(value);

    private object? Peek() => stack.Count > (marks.Count == 0 ? 0 : marks[^1])
        ? stack[^1]
        : throw Malformed("an opcode needs an object but the stack is empty");

    private object? Pop()
    {
        var value = Peek();
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private List<object?> PopMark()
    {
        if (marks.Count == 0)
        {
            throw Malformed("an opcode needs a MARK but none is set");
        }

        var start = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        var items = stack.GetRange(start, stack.Count - start);
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private byte ReadByte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0)
        {
            throw Malformed($"an item has the negative length {count}");
        }

        if (count > data.Length - position)
        {
            throw Truncated($"the pickle ends at byte {data.Length}, inside an item that needs {count} bytes from {position}");
        }

        var span = data.AsSpan(position, count);
        position += count;
        return span;
    }

    private int Length(ulong length) =>
        length <= (ulong)(data.Length - position) ? (int)length : throw Truncated($"an item of {length} bytes is longer than the rest of the pickle");

    private string ReadLine()
    {
        var end = Array.IndexOf(data, (byte)'\n', position);
        if (end < 0)
        {
            throw Truncated("a text argument has no end of line");
        }

        var text = Encoding.UTF8.GetString(data, position, end - position);
        position = end + 1;
        return text;
    }

    private object ReadLong(int length)
    {
        if (length < 0)
        {
            throw Malformed($"an integer has the negative length {length}");
        }

        if (length > 8)
        {
            return new BigInteger(Take(length), isUnsigned: false, isBigEndian: false);
        }

        var bytes = Take(length);
        if (length == 0)
        {
            return 0;
        }

        Span<byte> padded = stackalloc byte[8];
        padded.Fill((bytes[^1] & 0x80) != 0 ? (byte)0xFF : (byte)0);
        bytes.CopyTo(padded);
        return BinaryPrimitives.ReadInt64LittleEndian(padded);
    }

    private long ParseInteger(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw Malformed($"'{text}' is not an integer");

    private string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointFormatException(path, $"a pickled string is not valid UTF-8 ({e.Message}).", e);
        }
    }

    private CheckpointFormatException Malformed(string problem) => new(path, $"its pickle ({what}) is malformed: {problem}.");

    private TruncatedPickleException Truncated(string problem) => new(path, $"its pickle ({what}) is malformed: {problem}.");

    // Depth-limited: a hostile pickle can nest tuples deeply enough to overflow the stack of a naive printer.
    private static string Describe(object? value) => Describe(value, 3);

    private static string Describe(object? value, int depth) => value switch
    {
        null => "None",
        string s => $"'{(s.Length > 80 ? s[..80] + "..." : s)}'",
        long n => n.ToString(CultureInfo.InvariantCulture),
        BigInteger n => n.ToString(CultureInfo.InvariantCulture),
        object?[] t when depth == 0 => $"({t.Length} items)",
        object?[] t => "(" + string.Join(", ", t.Take(8).Select(x => Describe(x, depth - 1))) + (t.Length > 8 ? ", ..." : string.Empty) + ")",
        PickleGlobal g => g.ToString(),
        _ => value.GetType().Name,
    };

    private static string OpcodeName(byte opcode) => opcode switch
    {
        0x69 => "INST",
        0x6f => "OBJ",
        0x81 => "NEWOBJ",
        0x92 => "NEWOBJ_EX",
        0x82 or 0x83 or 0x84 => "EXT",
        0x50 => "PERSID",
        0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER",
        _ => "unknown",
    };
}
