using System.Globalization;
using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Training.Logging;

namespace StableVsr.Training.Data;

/// <summary>
/// Finds the training sequences and checks that every HR frame has its LR frame. Two layouts share one folder shape,
/// <c>root/hr/SEQUENCE/frames</c> and <c>root/lr/SEQUENCE/frames</c>: with a REDS metadata file (lines
/// "<c>name count shape</c>", as StableVSR's <c>REDS_train_metadata.txt</c>) the listed sequences and frames
/// <c>00000000.png</c>... are used; without one, every sequence folder under <c>hr/</c> with all its images in natural
/// order. The held-out partition (REDS4 by default) is removed by sequence name.
/// </summary>
internal static class TrainingDataIndex
{
    /// <summary>The ground-truth folder under the data root.</summary>
    public const string HighResolutionFolder = "hr";

    /// <summary>The LR folder under the data root.</summary>
    public const string LowResolutionFolder = "lr";

    /// <summary>Lists the sequences of <paramref name="root"/>.</summary>
    /// <param name="root">The data folder.</param>
    /// <param name="metadataFile">A REDS metadata file, or null to take every sequence folder.</param>
    /// <param name="excluded">The sequences to hold out.</param>
    /// <param name="minimumFrames">The fewest frames a sequence may have (a window's span).</param>
    /// <param name="logger">Told which sequences were held out.</param>
    /// <exception cref="InvalidInputException">A folder or frame is missing, the LR and HR frames do not match, a sequence is too short, or no sequence is left.</exception>
    public static IReadOnlyList<TrainingSequence> Load(string root, string? metadataFile, ExcludedPartition excluded, int minimumFrames, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(logger);
        var hr = Path.Combine(root, HighResolutionFolder);
        var lr = Path.Combine(root, LowResolutionFolder);
        foreach (var folder in new[] { root, hr, lr })
        {
            if (!Directory.Exists(folder))
            {
                throw new InvalidInputException(
                    $"Training data folder '{folder}' does not exist. The data folder must hold hr/ (ground truth) and lr/ (4x smaller frames), each with one subfolder per sequence.");
            }
        }

        var sequences = metadataFile is null ? FromFolders(hr, lr) : FromMetadata(metadataFile, hr, lr);
        var held = HeldOut(excluded);
        var removed = sequences.Where(s => held.Contains(s.Name)).Select(s => s.Name).ToList();
        if (removed.Count > 0)
        {
            TrainingLog.HoldingOut(logger, removed.Count, excluded, string.Join(", ", removed));
        }

        var kept = sequences.Where(s => !held.Contains(s.Name)).ToList();
        var tooShort = kept.FirstOrDefault(s => s.FrameCount < minimumFrames);
        if (tooShort is not null)
        {
            throw new InvalidInputException(
                $"Sequence '{tooShort.Name}' has {tooShort.FrameCount} frame(s); training windows span {minimumFrames} frames. Remove the sequence or add frames.");
        }

        if (kept.Count == 0)
        {
            throw new InvalidInputException(
                $"No training sequence found in '{root}'" + (removed.Count > 0 ? $" once the {excluded} partition ({string.Join(", ", removed)}) is held out" : string.Empty) +
                ": put sequence folders of frames in hr/ and lr/.");
        }

        return kept;
    }

    /// <summary>The sequence names of a held-out partition.</summary>
    public static IReadOnlySet<string> HeldOut(ExcludedPartition partition) => partition switch
    {
        ExcludedPartition.Reds4 => new HashSet<string>(["000", "011", "015", "020"], StringComparer.Ordinal),
        ExcludedPartition.RedsOfficial => Enumerable.Range(240, 30).Select(i => i.ToString("000", CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal),
        _ => new HashSet<string>(StringComparer.Ordinal),
    };

    private static List<TrainingSequence> FromFolders(string hr, string lr)
    {
        var result = new List<TrainingSequence>();
        var folders = Directory.GetDirectories(hr)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), NaturalSortComparer.Instance);
        foreach (var folder in folders)
        {
            var name = Path.GetFileName(folder);
            var lrFolder = Path.Combine(lr, name);
            if (!Directory.Exists(lrFolder))
            {
                throw new InvalidInputException($"Sequence '{name}' has HR frames in '{folder}' but no LR folder '{lrFolder}'. Add the LR frames or remove the sequence.");
            }

            var hrFrames = ImageFolderSource.ListFrameFiles(folder);
            var lrFrames = ImageFolderSource.ListFrameFiles(lrFolder);
            var lrByName = lrFrames.ToDictionary(f => Path.GetFileName(f), StringComparer.Ordinal);
            var missing = hrFrames.Select(f => Path.GetFileName(f)).Where(n => !lrByName.ContainsKey(n)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidInputException(
                    $"Sequence '{name}': {missing.Count} HR frame(s) have no LR frame of the same name in '{lrFolder}': {Names(missing)}.");
            }

            var hrNames = hrFrames.Select(f => Path.GetFileName(f)).ToHashSet(StringComparer.Ordinal);
            var extra = lrFrames.Select(f => Path.GetFileName(f)).Where(n => !hrNames.Contains(n)).ToList();
            if (extra.Count > 0)
            {
                throw new InvalidInputException(
                    $"Sequence '{name}': {extra.Count} LR frame(s) have no HR frame of the same name in '{folder}': {Names(extra)}.");
            }

            result.Add(new TrainingSequence(name, hrFrames, hrFrames.Select(f => lrByName[Path.GetFileName(f)]).ToArray()));
        }

        return result;
    }

    private static List<TrainingSequence> FromMetadata(string metadataFile, string hr, string lr)
    {
        if (!File.Exists(metadataFile))
        {
            throw new InvalidInputException($"Metadata file '{metadataFile}' does not exist. Give a REDS metadata file (lines 'sequence frame_count shape') or leave it out to use every sequence folder.");
        }

        var result = new List<TrainingSequence>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(metadataFile))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            // basicsr splits on single spaces: "000 100 (720,1280,3)"; StableVSR's file leaves the shape empty.
            var fields = line.Split(' ');
            if (fields.Length < 2 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || fields[0].Length == 0)
            {
                throw new InvalidInputException($"Metadata file '{metadataFile}', line {lineNumber}: expected 'sequence frame_count [shape]', got '{line}'.");
            }

            var name = fields[0];
            var frames = Enumerable.Range(0, count).Select(i => i.ToString("00000000", CultureInfo.InvariantCulture) + ".png").ToArray();
            var hrFrames = frames.Select(f => Path.Combine(hr, name, f)).ToArray();
            var lrFrames = frames.Select(f => Path.Combine(lr, name, f)).ToArray();
            CheckExist(name, hrFrames, "HR");
            CheckExist(name, lrFrames, "LR");
            result.Add(new TrainingSequence(name, hrFrames, lrFrames));
        }

        return result;
    }

    private static void CheckExist(string sequence, string[] files, string kind)
    {
        var missing = files.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidInputException(
                $"Sequence '{sequence}': {missing.Count} {kind} frame(s) listed in the metadata file are missing: {Names(missing)}.");
        }
    }

    private static string Names(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(5)) + (names.Count > 5 ? $" and {names.Count - 5} more" : string.Empty);
}
