using System.Text.Json;
using System.Text.Json.Serialization;

namespace StableVsr.IO;

/// <summary>
/// The list of committed segments a <see cref="VideoFileSink"/> keeps in its work folder: which files, how many frames
/// each, and the settings and frame size they were encoded with. It is replaced atomically (temporary file, flushed to
/// disk, renamed) after each segment is whole, so after a crash it names only complete segments.
/// </summary>
internal sealed record SegmentManifest
{
    /// <summary>The format version this code writes; a higher one was written by a newer StableVsr.</summary>
    public const int CurrentFormat = 1;

    /// <summary>The manifest's file name in the work folder.</summary>
    public const string FileName = "video-segments.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The format version.</summary>
    public int Format { get; init; } = CurrentFormat;

    /// <summary>The encode settings' <see cref="EncodeSettings.Identity"/>.</summary>
    public required string Settings { get; init; }

    /// <summary>The frame width of every segment.</summary>
    public required int Width { get; init; }

    /// <summary>The frame height of every segment.</summary>
    public required int Height { get; init; }

    /// <summary>The committed segments, in order.</summary>
    public required IReadOnlyList<SegmentEntry> Segments { get; init; }

    /// <summary>The frames in all committed segments.</summary>
    [JsonIgnore]
    public int Frames => Segments.Sum(s => s.Frames);

    /// <summary>Reads the manifest in <paramref name="workFolder"/>, or null when there is none.</summary>
    /// <exception cref="InvalidInputException">It is damaged or from a newer format version.</exception>
    public static SegmentManifest? Load(string workFolder)
    {
        var path = Path.Combine(workFolder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        SegmentManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<SegmentManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"The segment list '{path}' is damaged ({e.Message}); the output cannot be resumed, start it over.", e);
        }

        if (manifest is null || manifest.Segments is null)
        {
            throw new InvalidInputException($"The segment list '{path}' is empty or damaged; the output cannot be resumed, start it over.");
        }

        if (manifest.Format > CurrentFormat)
        {
            throw new InvalidInputException(
                $"The segment list '{path}' has format version {manifest.Format}, written by a newer StableVsr (this one reads up to {CurrentFormat}); " +
                "resume with that version or start the output over.");
        }

        return manifest;
    }

    /// <summary>Writes the manifest into <paramref name="workFolder"/>: temporary file, flushed to disk, renamed over the old one.</summary>
    public void Save(string workFolder) =>
        DurableFile.WriteAllBytes(Path.Combine(workFolder, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Json));
}
