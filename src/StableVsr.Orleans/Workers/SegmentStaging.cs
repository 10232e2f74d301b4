using System.Security.Cryptography;
using System.Text;
using StableVsr.IO;
using StableVsr.Sampling.Jobs;

namespace StableVsr.Orleans.Workers;

/// <summary>
/// Where a segment is written before it is committed: a hidden sibling of its output in the same folder (so the commit
/// is one rename on the same file system), with the segment's journal beside or inside it as the single-process CLI
/// keeps it. Every attempt of the segment, on whichever worker, writes to the same place, so a retry continues from the
/// journal; the output name only ever holds a complete result.
/// </summary>
/// <remarks>
/// A segment of a split sequence (frame folders only) stages into <c>.NAME.stablevsr-staging-START-END</c>; its commit
/// moves its frames into the sequence's hidden parts folder (<c>.NAME.stablevsr-parts-JOB</c>, one per job so that an
/// abandoned job's parts never mix in) and leaves a marker there; the sequence's last commit renames the parts folder to
/// the output in one step, so the output appears only once every frame of every segment is in it.
/// </remarks>
internal sealed class SegmentStaging
{
    private SegmentStaging(string output, bool outputIsVideo, SegmentRange? range, string jobId)
    {
        Output = output;
        OutputIsVideo = outputIsVideo;
        Range = range;
        var folder = Path.GetDirectoryName(output)!;
        var name = Path.GetFileName(output);
        StagingOutput = outputIsVideo
            ? Path.Combine(folder, $".{Path.GetFileNameWithoutExtension(name)}.stablevsr-staging{Path.GetExtension(name)}")
            : range is null ? Path.Combine(folder, $".{name}.stablevsr-staging") : Path.Combine(folder, $".{name}.stablevsr-staging-{range.Start:D6}-{range.End:D6}");
        JournalFolder = UpscaleJob.DefaultWorkFolder(StagingOutput);
        var job = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(jobId)))[..12].ToLowerInvariant();
        PartsFolder = Path.Combine(folder, $".{name}.stablevsr-parts-{job}");
        PartMarker = range is null ? string.Empty : Path.Combine(PartsFolder, $".segment-{range.Start:D6}-{range.End:D6}.done");
    }

    /// <summary>The frames of the sequence this segment upscales when the sequence is split; null for the whole sequence.</summary>
    public SegmentRange? Range { get; }

    /// <summary>Where a split sequence's committed segments gather until the last one renames it to the output.</summary>
    public string PartsFolder { get; }

    private string PartMarker { get; }

    /// <summary>The final output.</summary>
    public string Output { get; }

    /// <summary>Whether the output is a video file (else a folder of PNG frames).</summary>
    public bool OutputIsVideo { get; }

    /// <summary>What the upscaler writes to.</summary>
    public string StagingOutput { get; }

    /// <summary>The segment's journal (and a video sink's encoded parts).</summary>
    public string JournalFolder { get; }

    /// <summary>The staging of <paramref name="sequence"/>'s output, or of the frames <paramref name="range"/> of it in job <paramref name="jobId"/>.</summary>
    /// <exception cref="InvalidInputException">A range of a sequence with a video output (split jobs write frame folders).</exception>
    public static SegmentStaging For(SequenceJob sequence, SegmentRange? range = null, string jobId = "")
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var output = Path.GetFullPath(sequence.Output).TrimEnd(Path.DirectorySeparatorChar);
        var video = MediaPaths.IsVideoOutput(output);
        if (video && range is not null)
        {
            throw new InvalidInputException($"The output '{sequence.Output}' is a video, and split sequences are written as frame folders only: give a folder output for split jobs.");
        }

        return new SegmentStaging(output, video, range, jobId);
    }

    /// <summary>
    /// Whether an earlier attempt already renamed the finished output into place (it died before saying so); for a
    /// segment of a split sequence, whether its frames are in the parts folder or the sequence's output.
    /// </summary>
    public bool IsCommitted => Range is null
        ? (OutputIsVideo ? File.Exists(Output) : Directory.Exists(Output)) && !Exists(StagingOutput) && !Directory.Exists(JournalFolder)
        : File.Exists(PartMarker) || (Directory.Exists(Output) && !Directory.Exists(PartsFolder));

    /// <summary>The frames a committed segment left in place (-1 for a video: the count last reported stands).</summary>
    public int CommittedFrames => Range is { } range ? range.End - range.Start : OutputIsVideo ? -1 : Directory.GetFiles(Output, "*.png").Length;

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

    /// <summary>
    /// Removes the staging of a segment whose job is gone (lost with a reset store): its staging output and journal,
    /// and the job's parts folder when the sequence is split, claimed first with the lock every run of it holds
    /// (<see cref="OutputLock"/>), so the staging of a segment a live process still writes is never touched.
    /// </summary>
    /// <returns>Whether anything was removed; false when nothing was there or a live process holds it.</returns>
    public bool DiscardOrphan()
    {
        if (!Exists(StagingOutput) && !Directory.Exists(JournalFolder) && !(Range is not null && Directory.Exists(PartsFolder)))
        {
            return false;
        }

        try
        {
            using (OutputLock.Acquire(JournalFolder, $"The staging '{StagingOutput}'"))
            {
                Delete(JournalFolder);
                Delete(StagingOutput);
            }

            if (Range is not null && Directory.Exists(PartsFolder))
            {
                // The parts folder is the lost job's own (its name carries the job), so no other job commits there.
                Delete(PartsFolder);
            }

            return true;
        }
        catch (Exception e) when (e is InvalidInputException or IOException or UnauthorizedAccessException)
        {
            // Held by a live process (which then owns it), or not removable: left as it is.
            return false;
        }
    }

    /// <summary>
    /// Renames the finished staging output to the output name, in one step. For a segment of a split sequence: moves
    /// its frames into the parts folder (unless an earlier attempt did), then, when <paramref name="last"/>, renames the
    /// parts folder to the output; each step can be repeated after a crash.
    /// </summary>
    /// <exception cref="InvalidInputException">The output name is taken, or the rename failed.</exception>
    public void Commit(bool last = true)
    {
        try
        {
            if (Range is not null)
            {
                CommitPart(last);
            }
            else if (OutputIsVideo)
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

    private void CommitPart(bool last)
    {
        if (!IsCommitted)
        {
            Directory.CreateDirectory(PartsFolder);
            foreach (var frame in Directory.EnumerateFiles(StagingOutput).Where(f => !Path.GetFileName(f).StartsWith('.')))
            {
                File.Move(frame, Path.Combine(PartsFolder, Path.GetFileName(frame)), overwrite: true);
            }

            File.WriteAllText(PartMarker, $"frames [{Range!.Start}, {Range.End}) committed");
            Delete(StagingOutput);
        }

        if (last && Directory.Exists(PartsFolder))
        {
            Directory.Move(PartsFolder, Output);
        }

        if (last)
        {
            foreach (var marker in Directory.EnumerateFiles(Output, ".segment-*.done"))
            {
                File.Delete(marker);
            }
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
