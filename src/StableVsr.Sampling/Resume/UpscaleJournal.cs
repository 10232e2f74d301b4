using System.Globalization;
using System.Text.Json;
using StableVsr.IO;
using StableVsr.Sampling.Pipeline;
using StableVsr.Weights.Safetensors;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Resume;

/// <summary>
/// The record a resumable run keeps in its journal folder: <c>journal.json</c> (format version, the run's identity,
/// the frames the output has committed) and the carry of the last committed window as safetensors
/// (<c>carry-NNNNNNNN.safetensors</c>, named by the committed frame count, so the journal and its carry are always
/// replaced together: the new carry is written, then the journal that names it, then the old carry removed). Every
/// file is written to a temporary name, flushed to disk and renamed, and the folder flushed after the rename, so a
/// power cut leaves the previous state whole.
/// </summary>
internal sealed class UpscaleJournal
{
    /// <summary>The journal format this version writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string FileName = "journal.json";
    private const string CarryPrefix = "carry-";
    private const string CarryExtension = ".safetensors";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly string folder;
    private JournalRecord record;

    private UpscaleJournal(string folder, JournalRecord record)
    {
        this.folder = folder;
        this.record = record;
    }

    /// <summary>The identity of the run that wrote the journal.</summary>
    public JournalIdentity Identity => new(record.Input, record.InputFingerprint, record.ModelFingerprint, record.Options);

    /// <summary>Frames the output has committed; the run continues with this frame.</summary>
    public int CommittedFrames => record.CommittedFrames;

    /// <summary>Whether a journal is in <paramref name="folder"/>.</summary>
    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, FileName));

    /// <summary>Reads the journal in <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidInputException">The journal is corrupt or written by a newer format version.</exception>
    public static UpscaleJournal Open(string folder)
    {
        var path = Path.Combine(folder, FileName);
        JournalRecord? record;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var format = document.RootElement.TryGetProperty(nameof(JournalRecord.Format), out var value) && value.TryGetInt32(out var number) ? number : 0;
            if (format > FormatVersion)
            {
                throw new InvalidInputException(
                    $"The journal '{path}' was written by a newer StableVsr (journal format {format}; this version reads format {FormatVersion}). " +
                    "Resume with that version, or start over with --restart (ResumeMode.Restart).");
            }

            record = document.Deserialize<JournalRecord>(Json);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"The journal '{path}' cannot be read ({e.Message}). Start over with --restart (ResumeMode.Restart).", e);
        }

        if (record is null || record.Format < 1 || record.CommittedFrames < 0)
        {
            throw new InvalidInputException($"The journal '{path}' is not a StableVsr journal. Start over with --restart (ResumeMode.Restart).");
        }

        return new UpscaleJournal(folder, record);
    }

    /// <summary>Starts a journal for a new run (nothing committed) in <paramref name="folder"/>, created when needed.</summary>
    /// <exception cref="InvalidInputException">The folder cannot be written.</exception>
    public static UpscaleJournal Create(string folder, JournalIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"The journal folder '{folder}' cannot be created: {e.Message}", e);
        }

        var journal = new UpscaleJournal(folder, new JournalRecord
        {
            Format = FormatVersion,
            Input = identity.Input,
            InputFingerprint = identity.InputFingerprint,
            ModelFingerprint = identity.ModelFingerprint,
            Options = new Dictionary<string, string>(identity.Options, StringComparer.Ordinal),
        });
        journal.Save(journal.record with { Updated = DateTimeOffset.UtcNow });
        return journal;
    }

    /// <summary>Loads the carry of the last committed window onto <paramref name="device"/>, or null when there is none.</summary>
    /// <exception cref="InvalidInputException">The carry file is missing or corrupt.</exception>
    public WindowCarry? LoadCarry(Device device)
    {
        if (record.Carry is not { } name)
        {
            return null;
        }

        var path = Path.Combine(folder, name);
        try
        {
            using var file = SafetensorsFile.Open(path);
            var steps = int.Parse(file.Metadata["steps"], CultureInfo.InvariantCulture);
            var lowResolution = file.Load("last_low_resolution", ScalarType.Float32, device);
            var x0 = new Tensor?[steps];
            for (var i = 0; i < steps; i++)
            {
                x0[i] = file.Contains(StepKey(i)) ? file.Load(StepKey(i), ScalarType.Float32, device) : null;
            }

            return new WindowCarry(lowResolution.DetachFromDisposeScope(), x0.Select(t => t?.DetachFromDisposeScope()).ToArray());
        }
        catch (Exception e) when (e is ModelLoadException or KeyNotFoundException or FormatException or IOException)
        {
            throw new InvalidInputException($"The journal's carried state '{path}' is missing or damaged ({e.Message}). Start over with --restart (ResumeMode.Restart).", e);
        }
    }

    /// <summary>
    /// Records that the output has committed <paramref name="committedFrames"/> frames, with the carry the next window
    /// needs (null when none: the last window, or independent windows).
    /// </summary>
    /// <exception cref="InvalidInputException">The journal cannot be written (the disk is full, ...); the previous record stays.</exception>
    public void Commit(int committedFrames, WindowCarry? carry)
    {
        string? name = null;
        try
        {
            if (carry is not null)
            {
                name = $"{CarryPrefix}{committedFrames:D8}{CarryExtension}";
                var tensors = new List<KeyValuePair<string, Tensor>> { new("last_low_resolution", carry.LastLowResolution) };
                for (var i = 0; i < carry.StepCount; i++)
                {
                    if (WindowCarry.IsKeptStep(i))
                    {
                        tensors.Add(new(StepKey(i), carry.X0(i)));
                    }
                }

                SafetensorsWriter.Write(Path.Combine(folder, name), tensors, new Dictionary<string, string> { ["steps"] = carry.StepCount.ToString(CultureInfo.InvariantCulture) });
            }

            var previous = record.Carry;
            Save(record with { CommittedFrames = committedFrames, Carry = name, Updated = DateTimeOffset.UtcNow });
            if (previous is not null && previous != name)
            {
                File.Delete(Path.Combine(folder, previous));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ModelLoadException)
        {
            throw new InvalidInputException($"The journal in '{folder}' cannot be updated ({e.Message}); the run can be resumed from its last record once this is fixed.", e);
        }
    }

    /// <summary>Removes the journal and its carry files (the run is complete, or starts over), and the folder when nothing else is left in it.</summary>
    public static void Delete(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        File.Delete(Path.Combine(folder, FileName));
        foreach (var carry in Directory.EnumerateFiles(folder, CarryPrefix + "*" + CarryExtension))
        {
            File.Delete(carry);
        }

        if (!Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }

    private static string StepKey(int step) => $"x0_step_{step}";

    private void Save(JournalRecord next)
    {
        var path = Path.Combine(folder, FileName);
        var temporary = path + $".{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                JsonSerializer.Serialize(stream, next, Json);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            DurableFile.FlushFolder(folder);
            record = next;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
