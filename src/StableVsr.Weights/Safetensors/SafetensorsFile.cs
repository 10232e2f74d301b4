using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.IO.MemoryMappedFiles;
using TorchSharp;

namespace StableVsr.Weights.Safetensors;

/// <summary>
/// A <c>.safetensors</c> file, opened read-only and memory-mapped. The header is validated completely when the
/// file is opened; tensors are materialised one at a time on request, each through its own short-lived view of
/// the mapping, so reading a model costs no more host memory than the tensors the caller keeps.
/// </summary>
/// <remarks>Loads may run concurrently on several threads; <see cref="Dispose"/> must not race them.</remarks>
internal sealed class SafetensorsFile : ITensorSource
{
    private readonly MemoryMappedFile? mapping;
    private readonly Dictionary<string, SafetensorsEntry> entries;
    private readonly long dataStart;
    private bool disposed;

    private SafetensorsFile(string path, MemoryMappedFile? mapping, SafetensorsHeader header, long dataStart)
    {
        Path = path;
        this.mapping = mapping;
        this.dataStart = dataStart;
        entries = header.Entries.ToDictionary(e => e.Info.Name, StringComparer.Ordinal);
        Keys = new ReadOnlyCollection<string>(header.Entries.Select(e => e.Info.Name).ToArray());
        Metadata = new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(header.Metadata, StringComparer.Ordinal));
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Location => Path;

    /// <summary>The tensor keys, in the header's order.</summary>
    public IReadOnlyCollection<string> Keys { get; }

    /// <summary>The header's <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The info of every tensor, in the header's order.</summary>
    public IEnumerable<TensorInfo> Tensors => Keys.Select(k => entries[k].Info);

    /// <summary>
    /// Opens and validates a safetensors file: the 8-byte header length (inside the file and at most
    /// 100 MB), the UTF-8 JSON header, every dtype, shape and byte range, and the <c>__metadata__</c> strings.
    /// </summary>
    /// <exception cref="ModelLoadException">The file does not exist or cannot be opened.</exception>
    /// <exception cref="SafetensorsFormatException">The file is not a valid safetensors file.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        FileStream stream;
        try
        {
            stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"Safetensors file '{fullPath}' cannot be opened: {e.Message}", fullPath, e);
        }

        try
        {
            var (header, dataStart) = ReadHeader(stream, fullPath);
            var mapping = stream.Length > dataStart
                ? MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false)
                : null;
            if (mapping is null)
            {
                stream.Dispose();
            }

            return new SafetensorsFile(fullPath, mapping, header, dataStart);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public bool Contains(string key) => entries.ContainsKey(key);

    /// <inheritdoc />
    public TensorInfo GetInfo(string key) => Find(key).Info;

    /// <inheritdoc />
    public torch.Tensor Load(string key, torch.ScalarType? dtype = null, torch.Device? device = null)
    {
        var entry = Find(key);
        var tensor = torch.empty(entry.Info.Shape, entry.Info.ScalarType);
        try
        {
            CopyData(entry, tensor);
            if ((dtype is null || dtype == tensor.dtype) && (device is null || device.type == DeviceType.CPU))
            {
                return tensor;
            }

            return tensor.to(dtype ?? tensor.dtype, device ?? torch.CPU, disposeAfter: true);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public bool TryFillDirectly(string key, torch.Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var entry = Find(key);
        if (!TensorBytes.CanFillDirectly(destination, entry.Info.DType))
        {
            return false;
        }

        CopyData(entry, destination);
        return true;
    }

    /// <summary>Unmaps and closes the file. Tensors already loaded stay valid.</summary>
    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            mapping?.Dispose();
        }
    }

    private static (SafetensorsHeader Header, long DataStart) ReadHeader(FileStream stream, string path)
    {
        var fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw new SafetensorsFormatException(path, $"the file is {fileLength} bytes long, shorter than the 8-byte header length; it is truncated or empty.");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        RandomAccess.Read(stream.SafeFileHandle, lengthBytes, 0);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > SafetensorsHeader.MaxHeaderBytes)
        {
            throw new SafetensorsFormatException(path, $"the header length field says {headerLength} bytes, more than the {SafetensorsHeader.MaxHeaderBytes}-byte limit; the file is corrupt or not safetensors.");
        }

        if (8 + (long)headerLength > fileLength)
        {
            throw new SafetensorsFormatException(path, $"the header length field says {headerLength} bytes but only {fileLength - 8} bytes follow it; the file is truncated.");
        }

        var json = new byte[headerLength];
        var read = RandomAccess.Read(stream.SafeFileHandle, json, 8);
        if (read != json.Length)
        {
            throw new SafetensorsFormatException(path, $"only {read} of the {headerLength} header bytes could be read; the file is truncated.");
        }

        if (json.Length == 0 || json[0] != (byte)'{')
        {
            throw new SafetensorsFormatException(path, "the header does not start with '{'; it is not a safetensors JSON header.");
        }

        var dataStart = 8 + (long)headerLength;
        return (SafetensorsHeader.Parse(json, fileLength - dataStart, path), dataStart);
    }

    private SafetensorsEntry Find(string key)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return entries.TryGetValue(key, out var entry)
            ? entry
            : throw new KeyNotFoundException($"Tensor '{key}' is not in '{Path}'.");
    }

    private void CopyData(SafetensorsEntry entry, torch.Tensor destination)
    {
        if (entry.Info.ByteLength == 0)
        {
            return;
        }

        try
        {
            // One view per tensor: its pages leave the process when the view is unmapped, so resident
            // memory never holds the whole file on top of the tensors made from it.
            using var view = mapping!.CreateViewAccessor(dataStart + entry.Begin, entry.Info.ByteLength, MemoryMappedFileAccess.Read);
            var handle = view.SafeMemoryMappedViewHandle;
            var origin = (ulong)view.PointerOffset;
            TensorBytes.ForEachChunk(destination, (offset, span) => handle.ReadSpan(origin + (ulong)offset, span));
        }
        catch (IOException e)
        {
            throw new ModelLoadException($"Tensor '{entry.Info.Name}' of '{Path}' cannot be read: {e.Message}", Path, e);
        }
    }
}
