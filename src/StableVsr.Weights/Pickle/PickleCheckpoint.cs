using System.Collections.ObjectModel;
using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace StableVsr.Weights.Pickle;

/// <summary>
/// A PyTorch checkpoint (<c>.pth</c>, <c>.bin</c>) in the zip format <c>torch.save</c> writes since PyTorch 1.6
/// (<c>{name}/data.pkl</c>, the pickled state dict, and <c>{name}/data/{key}</c>, one member per storage), or in
/// the legacy format before it (pickles followed by raw storages; Python 2 pickles and storages saved from a GPU
/// included, read to the CPU), or a TorchScript archive of <c>torch.jit.save</c> (its module's tensors by attribute
/// path, <c>visual.conv1.weight</c>; the archive's code is never read).
/// The pickle is read by a restricted unpickler that never executes code (see <see cref="UnsafePickleException"/>);
/// tensors are read lazily, each straight from its storage's bytes in the file. Nested dicts are flattened with
/// dots (<c>{"model": {"w": t}}</c> gives <c>model.w</c>); non-tensor values (epochs, names) are ignored and listed in
/// <see cref="IgnoredEntries"/>.
/// </summary>
internal sealed class PickleCheckpoint : ITensorSource
{
    private const long MaxPickleBytes = 256L * 1024 * 1024;
    private const int MaxNesting = 16;

    private readonly SafeFileHandle file;
    private readonly Dictionary<string, (TensorRef Tensor, StorageSpan Storage)> tensors;
    private bool disposed;

    private PickleCheckpoint(string path, SafeFileHandle file, Dictionary<string, (TensorRef, StorageSpan)> tensors, IReadOnlyList<string> keys, IReadOnlyList<string> ignored)
    {
        Path = path;
        this.file = file;
        this.tensors = tensors;
        Keys = new ReadOnlyCollection<string>(keys.ToArray());
        IgnoredEntries = ignored;
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Location => Path;

    /// <summary>The tensor keys, in the pickle's order.</summary>
    public IReadOnlyCollection<string> Keys { get; }

    /// <summary>Keys of pickled values that are not tensors (ignored).</summary>
    public IReadOnlyList<string> IgnoredEntries { get; }

    /// <summary>The info of every tensor, in the pickle's order.</summary>
    public IEnumerable<TensorInfo> Tensors => Keys.Select(GetInfo);

    /// <summary>
    /// Opens a checkpoint and reads its pickle, checking that every tensor lies inside a storage member of the archive.
    /// </summary>
    /// <exception cref="ModelLoadException">The file does not exist or cannot be opened.</exception>
    /// <exception cref="UnsafePickleException">The pickle references a Python global or opcode a state dict never needs.</exception>
    /// <exception cref="CheckpointFormatException">The file is not a PyTorch checkpoint, or it is truncated or damaged.</exception>
    public static PickleCheckpoint Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"PyTorch checkpoint '{fullPath}' cannot be opened: {e.Message}", fullPath, e);
        }

        try
        {
            return Read(fullPath, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public bool Contains(string key) => tensors.ContainsKey(key);

    /// <inheritdoc />
    public TensorInfo GetInfo(string key)
    {
        var tensor = Find(key).Tensor;
        return new TensorInfo(key, tensor.Storage.DType, tensor.Shape, tensor.ElementCount * tensor.Storage.DType.ElementSize());
    }

    /// <inheritdoc />
    public torch.Tensor Load(string key, torch.ScalarType? dtype = null, torch.Device? device = null)
    {
        var (tensor, storage) = Find(key);
        var stored = tensor.Storage.DType.ToScalarType();
        torch.Tensor result;
        if (tensor.IsContiguous)
        {
            result = torch.empty(tensor.Shape, stored);
            Fill(result, storage, tensor.Offset, tensor.Storage.DType);
        }
        else
        {
            // A strided view (e.g. a transposed weight saved as is) is read as the storage span it covers and
            // made contiguous, as torch.load followed by .contiguous() would.
            using var span = torch.empty(tensor.Extent - tensor.Offset, stored);
            Fill(span, storage, tensor.Offset, tensor.Storage.DType);
            using var view = span.as_strided(tensor.Shape, tensor.Stride);
            result = view.contiguous();
        }

        if ((dtype is null || dtype == stored) && (device is null || device.type == DeviceType.CPU))
        {
            return result;
        }

        return result.to(dtype ?? stored, device ?? torch.CPU, disposeAfter: true);
    }

    /// <inheritdoc />
    public bool TryFillDirectly(string key, torch.Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var (tensor, storage) = Find(key);
        if (!tensor.IsContiguous || !TensorBytes.CanFillDirectly(destination, tensor.Storage.DType))
        {
            return false;
        }

        Fill(destination, storage, tensor.Offset, tensor.Storage.DType);
        return true;
    }

    /// <summary>Closes the file. Tensors already loaded stay valid.</summary>
    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            file.Dispose();
        }
    }

    private static PickleCheckpoint Read(string path, SafeFileHandle handle)
    {
        Span<byte> magic = stackalloc byte[4];
        var length = RandomAccess.GetLength(handle);
        var read = length >= 4 ? RandomAccess.Read(handle, magic, 0) : 0;
        object? root;
        Func<TensorRef, string, StorageSpan> storageOf;
        if (read == 4 && magic.SequenceEqual("PK\u0003\u0004"u8))
        {
            (root, storageOf) = ReadZip(path, handle);
        }
        else if (read >= 1 && magic[0] == 0x80)
        {
            // A pickle's PROTO opcode: the legacy format starts with a pickled magic number.
            var (legacyRoot, storages) = LegacyCheckpointFile.Read(handle, path);
            root = legacyRoot;
            storageOf = (tensor, key) => storages.TryGetValue(tensor.Storage.Key, out var storage)
                ? storage.Span
                : throw new CheckpointFormatException(path, $"tensor '{key}' uses storage '{tensor.Storage.Key}', which the file does not hold.");
        }
        else
        {
            throw new CheckpointFormatException(path, "it is neither a zip-format PyTorch checkpoint (no zip signature at its start) nor a legacy torch.save file (no pickle at its start).");
        }

        if (root is not PickleDict dict)
        {
            throw new CheckpointFormatException(path, $"its pickle holds a {root?.GetType().Name ?? "None"}, not a state dict.");
        }

        var found = new Dictionary<string, (TensorRef, StorageSpan)>(StringComparer.Ordinal);
        var keys = new List<string>();
        var ignored = new List<string>();
        Flatten(dict, string.Empty, 0, path, storageOf, found, keys, ignored);
        return new PickleCheckpoint(path, handle, found, keys, ignored);
    }

    private static (object? Root, Func<TensorRef, string, StorageSpan> StorageOf) ReadZip(string path, SafeFileHandle handle)
    {
        var entries = ZipDirectory.Read(handle, path);
        var pickles = entries.Keys.Where(n => n == "data.pkl" || n.EndsWith("/data.pkl", StringComparison.Ordinal)).ToArray();
        if (pickles.Length != 1)
        {
            throw new CheckpointFormatException(path, $"the archive holds {pickles.Length} data.pkl members; a torch.save checkpoint holds exactly one.");
        }

        var prefix = pickles[0][..^"data.pkl".Length];
        if (entries.TryGetValue(prefix + "byteorder", out var byteOrder) &&
            System.Text.Encoding.ASCII.GetString(ZipDirectory.ReadExactly(handle, byteOrder.DataOffset, (int)Math.Min(byteOrder.Length, 16), path)).Trim() != "little")
        {
            throw new CheckpointFormatException(path, "it was saved on a big-endian machine; re-save it on a little-endian one.");
        }

        var pickleEntry = entries[pickles[0]];
        if (pickleEntry.Length > MaxPickleBytes)
        {
            throw new CheckpointFormatException(path, $"its pickle is {pickleEntry.Length} bytes, more than the {MaxPickleBytes}-byte limit for a state dict.");
        }

        // torch.jit.save archives (OpenAI's CLIP RN50.pt) add constants.pkl and code/: their data.pkl is the module's
        // attributes, read as nested dicts without touching the code.
        var torchScript = entries.ContainsKey(prefix + "constants.pkl");
        var root = PickleReader.Read(ZipDirectory.ReadExactly(handle, pickleEntry.DataOffset, (int)pickleEntry.Length, path), path, torchScript);
        return (root, (tensor, key) =>
        {
            var name = prefix + "data/" + tensor.Storage.Key;
            return entries.TryGetValue(name, out var storage)
                ? new StorageSpan(name, storage.DataOffset, storage.Length)
                : throw new CheckpointFormatException(path, $"tensor '{key}' uses storage '{tensor.Storage.Key}', but the archive has no member '{name}'.");
        });
    }

    private static void Flatten(
        PickleDict dict,
        string prefix,
        int depth,
        string path,
        Func<TensorRef, string, StorageSpan> storageOf,
        Dictionary<string, (TensorRef, StorageSpan)> found,
        List<string> keys,
        List<string> ignored)
    {
        if (depth > MaxNesting)
        {
            throw new CheckpointFormatException(path, $"its state dict nests dicts more than {MaxNesting} levels deep at '{prefix}'.");
        }

        foreach (var (rawKey, value) in dict.Entries)
        {
            var key = prefix + (rawKey as string ?? Convert.ToString(rawKey, System.Globalization.CultureInfo.InvariantCulture));
            switch (value)
            {
                case TensorRef tensor:
                    if (!found.TryAdd(key, (tensor, Checked(tensor, key, path, storageOf(tensor, key)))))
                    {
                        throw new CheckpointFormatException(path, $"its state dict names '{key}' twice after flattening nested dicts.");
                    }

                    keys.Add(key);
                    break;
                case PickleDict inner:
                    Flatten(inner, key + ".", depth + 1, path, storageOf, found, keys, ignored);
                    break;
                default:
                    ignored.Add(key);
                    break;
            }
        }
    }

    private static StorageSpan Checked(TensorRef tensor, string key, string path, StorageSpan storage)
    {
        var name = storage.Name;
        var elementSize = tensor.Storage.DType.ElementSize();
        if (storage.Length / elementSize < tensor.Storage.ElementCount)
        {
            throw new CheckpointFormatException(path, $"storage '{name}' holds {storage.Length} bytes, fewer than its {tensor.Storage.ElementCount} {tensor.Storage.DType} elements need.");
        }

        if (tensor.Extent > tensor.Storage.ElementCount)
        {
            throw new CheckpointFormatException(path, $"tensor '{key}' (offset {tensor.Offset}, size [{string.Join(", ", tensor.Shape)}], stride [{string.Join(", ", tensor.Stride)}]) reaches element {tensor.Extent} of a storage of {tensor.Storage.ElementCount}.");
        }

        return storage;
    }

    private (TensorRef Tensor, StorageSpan Storage) Find(string key)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return tensors.TryGetValue(key, out var entry)
            ? entry
            : throw new KeyNotFoundException($"Tensor '{key}' is not in '{Path}'.");
    }

    private void Fill(torch.Tensor destination, StorageSpan storage, long elementOffset, TensorDType dtype)
    {
        var start = storage.DataOffset + (elementOffset * dtype.ElementSize());
        TensorBytes.ForEachChunk(destination, (offset, span) => ZipDirectory.ReadExactly(file, start + offset, span, Path));
    }
}
