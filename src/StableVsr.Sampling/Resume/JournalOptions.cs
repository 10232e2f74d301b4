namespace StableVsr.Sampling.Resume;

/// <summary>
/// Where a run keeps its journal, so that it can be resumed after Ctrl+C, a kill or a power cut with byte-identical
/// output, and what to do with a journal already there.
/// </summary>
/// <param name="Folder">
/// The journal's folder, beside the output (<see cref="ForOutput"/> gives the conventional one). It holds the journal,
/// the carried state of the last finished window and the output's own resumable parts (for example encoded segments);
/// it is removed when the run completes.
/// </param>
/// <param name="Mode">What to do with a journal left by an interrupted run. Default <see cref="ResumeMode.New"/>.</param>
public sealed record JournalOptions(string Folder, ResumeMode Mode = ResumeMode.New)
{
    /// <summary>
    /// The journal folder of an output: <c>.stablevsr</c> inside an output folder, or the hidden folder
    /// <c>.NAME.stablevsr</c> beside an output file.
    /// </summary>
    public static string ForOutput(string output, bool outputIsFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        var full = Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar);
        return outputIsFolder
            ? Path.Combine(full, ".stablevsr")
            : Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.stablevsr");
    }
}
