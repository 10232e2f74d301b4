using StableVsr.IO;
using StableVsr.Sampling.Resume;

namespace StableVsr.Cli.Commands;

/// <summary>The rules for a sequence's output: never the input itself, never silently replaced, resumable.</summary>
internal static class SequenceOutput
{
    /// <summary>
    /// Whether <paramref name="output"/> is a finished output that a resumed run leaves alone: it holds frames and no
    /// journal. Only with --resume (a folder of sequences resumed after an interruption skips what was done).
    /// </summary>
    public static bool IsComplete(string output, RunSettings run) =>
        run.Mode == ResumeMode.Resume && ImageFolderSource.HoldsFrames(output) && !Directory.Exists(JournalOptions.ForOutput(output, outputIsFolder: true));

    /// <summary>Refuses an output that is the input, or that already holds frames of a finished run (unless --overwrite).</summary>
    /// <exception cref="InvalidInputException">The output cannot be written as asked; the message says what to do.</exception>
    public static void CheckWritable(string input, string output, RunSettings run)
    {
        var (from, to) = (Path.GetFullPath(input).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar));
        if (string.Equals(from, to, StringComparison.Ordinal))
        {
            throw new InvalidInputException($"The output '{output}' is the input: upscaled frames would replace the frames being read. Give another output.");
        }

        var journal = JournalOptions.ForOutput(output, outputIsFolder: true);
        if (!run.Overwrite && !Directory.Exists(journal) && ImageFolderSource.HoldsFrames(output))
        {
            throw new InvalidInputException($"The output '{output}' already holds frames. Pass --overwrite to replace them, or give another output.");
        }
    }
}
