using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using StableVsr.Evaluation.Metrics;
using StableVsr.Evaluation.Metrics.Niqe;
using StableVsr.IO;

namespace StableVsr.Evaluation.Running;

/// <summary>
/// eval.py's folder layout checked before any frame is evaluated, so a mistake surfaces in seconds rather than after
/// hours: <c>root/sequence/frames</c> (or a single folder of frames on both sides), frames paired by position in
/// natural name order (which for zero-padded names, as REDS and Vid4 use, is eval.py's sorted order). Sequences missing
/// on either side, different frame counts (unless truncating), different sizes and, for tOF, sizes RAFT cannot take are
/// refused with the sequence and frame named; frames that are not 8-bit RGB are noted, as they are converted.
/// </summary>
internal static class FolderPlan
{
    /// <summary>
    /// Pairs and checks the frames of <paramref name="outputRoot"/> and <paramref name="groundTruthRoot"/> for
    /// <paramref name="metrics"/>; without ground truth, lists and checks the output's sequences alone (only
    /// no-reference metrics can run then).
    /// </summary>
    /// <exception cref="InvalidInputException">The folders do not pair up (the message says where and what to do).</exception>
    public static (IReadOnlyList<SequenceInput> Sequences, IReadOnlyList<string> Notes) Build(string outputRoot, string? groundTruthRoot, EvaluationOptions options, IReadOnlyCollection<Metric> metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        outputRoot = RequireFolder(outputRoot, "Output");
        var notes = new List<string>();
        var sequences = new List<SequenceInput>();
        if (groundTruthRoot is null)
        {
            var needing = metrics.Where(m => MetricInfo.Of(m).NeedsGroundTruth).Select(m => MetricInfo.Of(m).Name).ToArray();
            if (needing.Length > 0)
            {
                throw new InvalidInputException(
                    $"{string.Join(", ", needing)} compare with the ground truth: give it (--gt), or choose only the no-reference metrics ({string.Join(", ", MetricInfo.NoReference.Select(m => MetricInfo.Of(m).Name.ToLowerInvariant()))}).");
            }

            foreach (var (name, folder) in OutputSequences(outputRoot, options))
            {
                sequences.Add(Describe(name, null, ImageFolderSource.ListFrameFiles(folder), options, metrics, notes));
            }

            return (sequences, notes);
        }

        groundTruthRoot = RequireFolder(groundTruthRoot, "Ground-truth");
        var pairs = PairSequences(outputRoot, groundTruthRoot, options);
        foreach (var (name, outputFolder, groundTruthFolder) in pairs)
        {
            var output = ImageFolderSource.ListFrameFiles(outputFolder);
            var groundTruth = ImageFolderSource.ListFrameFiles(groundTruthFolder);
            if (output.Count != groundTruth.Count)
            {
                if (!options.Truncate)
                {
                    throw new InvalidInputException(
                        $"Sequence '{name}' has {output.Count} output frame(s) in '{outputFolder}' but {groundTruth.Count} ground-truth frame(s) in '{groundTruthFolder}'. " +
                        "Give both the same frames, or pass --truncate (EvaluationOptions.Truncate) to evaluate only the first frames of the longer side, as eval.py silently does.");
                }

                var count = Math.Min(output.Count, groundTruth.Count);
                notes.Add($"Sequence '{name}': {output.Count} output and {groundTruth.Count} ground-truth frames; only the first {count} pairs were evaluated (truncate).");
                output = output.Take(count).ToArray();
                groundTruth = groundTruth.Take(count).ToArray();
            }

            sequences.Add(Describe(name, groundTruth, output, options, metrics, notes));
        }

        return (sequences, notes);
    }

    private static SequenceInput Describe(string name, IReadOnlyList<string>? groundTruth, IReadOnlyList<string> output, EvaluationOptions options, IReadOnlyCollection<Metric> metrics, List<string> notes)
    {
        var conversions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        (int Width, int Height)? size = null;
        for (var k = 0; k < output.Count; k++)
        {
            var rec = Identify(output[k], conversions, "output");
            if (groundTruth is not null)
            {
                var gt = Identify(groundTruth[k], conversions, "ground-truth");
                if (gt.Size != rec.Size)
                {
                    throw new InvalidInputException(
                        $"Sequence '{name}', frame {k}: the output '{Path.GetFileName(output[k])}' is {rec.Size.Width}x{rec.Size.Height} but the ground truth '{Path.GetFileName(groundTruth[k])}' is {gt.Size.Width}x{gt.Size.Height}. " +
                        "Every output frame must have its ground truth's size (for a 4x upscaler, 4x the input's).");
                }
            }

            size ??= rec.Size;
            if (rec.Size != size)
            {
                throw new InvalidInputException(
                    $"Sequence '{name}', frame {k}: '{Path.GetFileName(output[k])}' is {rec.Size.Width}x{rec.Size.Height} but the sequence's first frame is {size.Value.Width}x{size.Value.Height}; the frames of a sequence must share one size.");
            }
        }

        var (width, height) = size!.Value;
        if (metrics.Contains(Metric.Niqe) && !NiqeScore.Fits(height, width))
        {
            notes.Add($"Sequence '{name}': its {width}x{height} frames are smaller than NIQE's {NiqeScore.BlockSize}x{NiqeScore.BlockSize} block, so NIQE refused them (pyiqa fails on them); its NIQE mean is nan.");
        }

        if (metrics.Contains(Metric.Tof) && !options.PadFramesForFlow && !TemporalOpticalFlow.FitsRaft(height, width))
        {
            throw new InvalidInputException(
                $"Sequence '{name}' has {width}x{height} frames, which RAFT (tOF) cannot take: it needs sides that are multiples of 8 and at least 128 px, and eval.py fails on them. " +
                "Leave tof out of --metrics, or pass --tof-pad (EvaluationOptions.PadFramesForFlow) to pad the frames for the flow only.");
        }

        if (metrics.Any(m => m is Metric.Lpips or Metric.TLpips) && Math.Min(width, height) < Lpips.MinSide)
        {
            throw new InvalidInputException($"Sequence '{name}' has {width}x{height} frames; LPIPS' AlexNet needs at least {Lpips.MinSide} px on each side. Leave lpips and tlpips out of --metrics.");
        }

        if (metrics.Contains(Metric.Ssim) && Math.Min(width, height) < Ssim.WindowSize)
        {
            throw new InvalidInputException($"Sequence '{name}' has {width}x{height} frames; SSIM's window needs at least {Ssim.WindowSize} px on each side. Leave ssim out of --metrics.");
        }

        foreach (var (conversion, count) in conversions)
        {
            notes.Add($"Sequence '{name}': {count} {conversion} (eval.py would fail on them).");
        }

        return new SequenceInput(name, groundTruth, output, width, height);
    }

    private static ((int Width, int Height) Size, string? Conversion) Identify(string path, SortedDictionary<string, int> conversions, string side)
    {
        IImageInfo? info;
        SixLabors.ImageSharp.Formats.IImageFormat? format;
        try
        {
            info = Image.Identify(path, out format);
        }
        catch (Exception e) when (e is InvalidImageContentException or ImageFormatException or NotSupportedException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"Image '{path}' cannot be read: {e.Message}", e);
        }

        if (info is null)
        {
            throw new InvalidInputException($"Image '{path}' is not a supported image (PNG, JPEG, BMP).");
        }

        var conversion = Conversion(info, format);
        if (conversion is not null)
        {
            var key = $"{side} frame(s) converted from {conversion} to 8-bit RGB";
            conversions[key] = conversions.TryGetValue(key, out var n) ? n + 1 : 1;
        }

        return ((info.Width, info.Height), conversion);
    }

    private static string? Conversion(IImageInfo info, SixLabors.ImageSharp.Formats.IImageFormat? format)
    {
        if (format is PngFormat)
        {
            var png = info.Metadata.GetPngMetadata();
            var color = png.ColorType ?? PngColorType.Rgb;
            var depth = png.BitDepth ?? PngBitDepth.Bit8;
            if (color == PngColorType.Rgb && depth == PngBitDepth.Bit8)
            {
                return null;
            }

            var what = color switch
            {
                PngColorType.Grayscale => "greyscale",
                PngColorType.GrayscaleWithAlpha => "greyscale with alpha (alpha dropped)",
                PngColorType.RgbWithAlpha => "RGBA (alpha dropped)",
                PngColorType.Palette => "palette",
                _ => "RGB",
            };
            return $"{(int)depth}-bit {what} PNG";
        }

        return info.PixelType.BitsPerPixel == 24 ? null : $"{info.PixelType.BitsPerPixel}-bit-per-pixel {format?.Name ?? "image"}";
    }

    private static List<(string Name, string Folder)> OutputSequences(string outputRoot, EvaluationOptions options)
    {
        if (HasFrames(outputRoot))
        {
            return [(Path.GetFileName(Path.TrimEndingDirectorySeparator(outputRoot)), outputRoot)];
        }

        var outputs = SequenceFolders(outputRoot);
        if (outputs.Count == 0)
        {
            throw new InvalidInputException($"Output folder '{outputRoot}' holds no frames and no sequence folders with frames: give eval.py's layout, root/sequence/frames (PNG, JPEG or BMP).");
        }

        return Chosen(outputs.Keys.ToList(), outputs, outputRoot, options).Select(n => (n, outputs[n])).ToList();
    }

    private static List<string> Chosen(List<string> names, SortedDictionary<string, string> outputs, string outputRoot, EvaluationOptions options)
    {
        if (options.Sequences is not { } chosen)
        {
            return names;
        }

        var unknown = chosen.Where(c => !outputs.ContainsKey(c)).ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidInputException($"Sequence(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))} are not in output folder '{outputRoot}', which holds: {string.Join(", ", names)}.");
        }

        return names.Where(chosen.Contains).ToList();
    }

    private static List<(string Name, string Output, string GroundTruth)> PairSequences(string outputRoot, string groundTruthRoot, EvaluationOptions options)
    {
        if (HasFrames(outputRoot))
        {
            if (!HasFrames(groundTruthRoot))
            {
                throw new InvalidInputException($"Output folder '{outputRoot}' holds frames, but ground-truth folder '{groundTruthRoot}' does not: give two folders of frames, or two folders of sequence folders.");
            }

            return [(Path.GetFileName(Path.TrimEndingDirectorySeparator(outputRoot)), outputRoot, groundTruthRoot)];
        }

        var outputs = SequenceFolders(outputRoot);
        var groundTruths = SequenceFolders(groundTruthRoot);
        if (outputs.Count == 0)
        {
            throw new InvalidInputException($"Output folder '{outputRoot}' holds no frames and no sequence folders with frames: give eval.py's layout, root/sequence/frames (PNG, JPEG or BMP).");
        }

        var names = Chosen(outputs.Keys.ToList(), outputs, outputRoot, options);

        var missing = names.Where(n => !groundTruths.ContainsKey(n)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidInputException($"Sequence(s) {string.Join(", ", missing.Select(m => $"'{m}'"))} of '{outputRoot}' have no ground truth in '{groundTruthRoot}' (no folder of that name with frames).");
        }

        var unevaluated = groundTruths.Keys.Where(g => !outputs.ContainsKey(g)).ToArray();
        if (options.Sequences is null && unevaluated.Length > 0)
        {
            throw new InvalidInputException(
                $"Ground-truth sequence(s) {string.Join(", ", unevaluated.Select(u => $"'{u}'"))} of '{groundTruthRoot}' have no output in '{outputRoot}'; an average without them is not comparable to a full run. " +
                "Upscale them, or name the sequences to evaluate with --sequences (EvaluationOptions.Sequences).");
        }

        return names.Select(n => (n, outputs[n], groundTruths[n])).ToList();
    }

    private static SortedDictionary<string, string> SequenceFolders(string root)
    {
        var folders = new SortedDictionary<string, string>(NaturalSortComparer.Instance);
        foreach (var folder in Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.')).Where(HasFrames))
        {
            folders[Path.GetFileName(folder)] = folder;
        }

        return folders;
    }

    private static bool HasFrames(string folder) => Directory.EnumerateFiles(folder)
        .Any(f => !Path.GetFileName(f).StartsWith('.') && ImageFolderSource.SupportedExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()));

    private static string RequireFolder(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        return Directory.Exists(full) ? full : throw new InvalidInputException($"{what} folder '{full}' does not exist.");
    }
}
