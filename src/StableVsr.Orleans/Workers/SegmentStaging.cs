using StableVsr.Sampling.Resume;

namespace StableVsr.Orleans.Workers;

/// <summary>
/// Where a segment is written before it is committed: a hidden sibling of its output in the same folder (so the commit
/// is one rename on the same file system), with the segment's journal beside or inside it as the single-process CLI
/// keeps it. Every attempt of the segment, on whichever worker, writes to the same place, so a retry continues from the
/// journal; the output name only ever holds a complete result.
/// </summary>
internal sealed class SegmentStaging
{
    /// <summary>The containers <see cref="IO.VideoFileSink"/> writes; any other output is a folder of PNG frames.</summary>
    internal static readonly IReadOnlyList<string> VideoOutputExtensions = [".mp4", ".m4v", ".mov", ".mkv"];

    private SegmentStaging(string output, bool outputIsVideo)
    {
        Output = output;
        OutputIsVideo = outputIsVideo;
        var folder = Path.GetDirectoryName(output)!;
        var name = Path.GetFileName(output);
        StagingOutput = outputIsVideo
            ? Path.Combine(folder, $".{Path.GetFileNameWithoutExtension(name)}.stablevsr-staging{Path.GetExtension(name)}")
            : Path.Combine(folder, $".{name}.stablevsr-staging");
        JournalFolder = JournalOptions.ForOutput(StagingOutput, outputIsFolder: !outputIsVideo);
    }

    /// <summary>The final output.</summary>
    public string Output { get; }

    /// <summary>Whether the output is a video file (else a folder of PNG frames).</summary>
    public bool OutputIsVideo { get; }

    /// <summary>What the upscaler writes to.</summary>
    public string StagingOutput { get; }

    /// <summary>The segment's journal (and a video sink's encoded parts).</summary>
    public string JournalFolder { get; }

    /// <summary>The staging of <paramref name="sequence"/>'s output.</summary>
    public static SegmentStaging For(SequenceJob sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var output = Path.GetFullPath(sequence.Output).TrimEnd(Path.DirectorySeparatorChar);
        return new SegmentStaging(output, IsVideoOutput(output));
    }

    /// <summary>Whether <paramref name="output"/> names a video file by its extension.</summary>
    public static bool IsVideoOutput(string output) => VideoOutputExtensions.Contains(Path.GetExtension(output).ToLowerInvariant());

    /// <summary>Whether an earlier attempt already renamed the finished output into place (it died before saying so).</summary>
    public bool IsCommitted => (OutputIsVideo ? File.Exists(Output) : Directory.Exists(Output)) && !Exists(StagingOutput) && !Directory.Exists(JournalFolder);

    /// <summary>Removes what an earlier job left under the staging names, so a first attempt starts from nothing.</summary>
    /// <exception cref="InvalidInputException">The output folder cannot be written.</exception>
    public void Reset()
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Output)!);
            Delete(JournalFolder);
            Delete(StagingOutput);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"The output folder of '{Output}' cannot be written ({e.Message}): give an output on storage every worker can write.", e);
        }
    }

    /// <summary>Removes the staging output and journal of a segment that will not be retried (best effort).</summary>
    public void Discard()
    {
        try
        {
            Delete(JournalFolder);
            Delete(StagingOutput);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the user: the job's error already says why the segment failed.
        }
    }

    /// <summary>Renames the finished staging output to the output name, in one step.</summary>
    /// <exception cref="InvalidInputException">The output name is taken, or the rename failed.</exception>
    public void Commit()
    {
        try
        {
            if (OutputIsVideo)
            {
                File.Move(StagingOutput, Output, overwrite: false);
            }
            else
            {
                Directory.Move(StagingOutput, Output);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"The finished segment '{StagingOutput}' cannot be renamed to '{Output}' ({e.Message}); it is kept for inspection.", e);
        }
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static void Delete(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
