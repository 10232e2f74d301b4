using System.Collections.Concurrent;
using System.Text;
using Orleans.Runtime;
using Orleans.Storage;

namespace StableVsr.Orleans.Hosting;

/// <summary>
/// Grain state as files in a folder (one file per grain, written to a temporary name, flushed and renamed), for a
/// cluster on one machine or on machines that share a folder: job state then survives any silo and the client, with no
/// database. Each file starts with its ETag on the first line; a write whose ETag is not the file's is refused
/// (<see cref="InconsistentStateException"/>), so a stale activation cannot overwrite newer state. The check and the
/// rename are serialised within a process, not across machines: for several machines, Redis storage is the safe choice.
/// </summary>
internal sealed class FileGrainStorage(string folder, IGrainStorageSerializer serializer) : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Locks = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = PathOf(stateName, grainId);
        var gate = Locks.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Read(path) is not var (etag, data))
            {
                grainState.State = Activator.CreateInstance<T>();
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }

            grainState.State = serializer.Deserialize<T>(data) ?? Activator.CreateInstance<T>();
            grainState.ETag = etag;
            grainState.RecordExists = true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = PathOf(stateName, grainId);
        var gate = Locks.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var current = Read(path)?.ETag;
            if (current != grainState.ETag)
            {
                throw new InconsistentStateException($"The state of {grainId} in '{path}' changed since it was read.", current, grainState.ETag);
            }

            var etag = Guid.NewGuid().ToString("N");
            var temporary = $"{path}.{Guid.NewGuid():N}.partial";
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(etag + "\n")).ConfigureAwait(false);
                await stream.WriteAsync(serializer.Serialize(grainState.State).ToMemory()).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            grainState.ETag = etag;
            grainState.RecordExists = true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = PathOf(stateName, grainId);
        var gate = Locks.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            File.Delete(path);
            grainState.ETag = null;
            grainState.RecordExists = false;
            grainState.State = Activator.CreateInstance<T>();
        }
        finally
        {
            gate.Release();
        }
    }

    private static (string ETag, BinaryData Data)? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        var newline = Array.IndexOf(bytes, (byte)'\n');
        return (Encoding.ASCII.GetString(bytes, 0, newline), new BinaryData(bytes.AsMemory(newline + 1)));
    }

    // Grain ids hold '/' and other characters a file name cannot: the name is made of letters, digits, '-', '_' and '.' only.
    private string PathOf(string stateName, GrainId grainId)
    {
        var name = new StringBuilder();
        foreach (var c in grainId.ToString())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : $"%{(int)c:X2}");
        }

        return Path.Combine(folder, stateName, name + ".state");
    }
}
